import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, randn } from '../../src/core/index.js';
import { loadTensors, saveTensors } from '../../src/io/index.js';
import { withLeakCheck } from '../helpers/leak.js';

test('saveTensors/loadTensors round trip keeps names, dtypes, shapes and values', async () => {
  await withLeakCheck(() => {
    const dir = mkdtempSync(join(tmpdir(), 'wc-io-'));
    const path = join(dir, 'w.safetensors');
    const a = randn([3, 4]);
    const b = tensor([1, 2, 3], { dtype: 'int64' });
    const c = tensor([0.5, -2], { dtype: 'float64' });
    saveTensors(path, { 'layer.weight': a, 'bn.num_batches_tracked': b, c }, { note: 'hi' });
    const { tensors, metadata } = loadTensors(path);
    assert.equal(metadata.note, 'hi');
    assert.deepEqual([...tensors.keys()].sort(), ['bn.num_batches_tracked', 'c', 'layer.weight']);
    assert.deepEqual(tensors.get('layer.weight')!.toArray(), a.toArray());
    assert.equal(tensors.get('bn.num_batches_tracked')!.dtype, 'int64');
    assert.deepEqual(tensors.get('bn.num_batches_tracked')!.toNumbers(), [1, 2, 3]);
    assert.deepEqual(tensors.get('c')!.toNumbers(), [0.5, -2]);
    // atomic write leaves no temporary file behind
    assert.deepEqual(readdirSync(dir), ['w.safetensors']);
    for (const t of [...tensors.values(), a, b, c]) t.dispose();
  });
});

test('loadTensors reads a torch.save checkpoint made by PyTorch', async () => {
  await withLeakCheck(() => {
    const fixtures = readdirSync(new URL('../../../test/fixtures/', import.meta.url)).filter((f) => f.endsWith('.pth') && !f.includes('legacy'));
    assert.ok(fixtures.length > 0);
    const { tensors } = loadTensors(new URL('../../../test/fixtures/' + fixtures[0], import.meta.url).pathname);
    assert.ok(tensors.size > 0);
    for (const t of tensors.values()) t.dispose();
  });
});

test('loadTensors names the file when it is missing or foreign', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wc-io-'));
  assert.throws(() => loadTensors(join(dir, 'nope.pth')), /nope\.pth: no such weight file/);
  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, 'definitely not weights');
  assert.throws(() => loadTensors(junk), /junk\.bin/);
});
