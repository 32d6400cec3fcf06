// Merging prediction shards without a model: CSV rows in shard order under one header, every
// other file (masks, class lists) copied, shared files required identical, bad sets refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergePredictionShards, writeShardInfo } from '../../src/cli/predictionShards.js';

function shard(root: string, i: number, n: number, ids: string[], extra: Record<string, string> = {}): string {
  const dir = join(root, `s${i}`);
  mkdirSync(join(dir, 'segmentation'), { recursive: true });
  writeFileSync(join(dir, 'classification.csv'), `image_id,a,b\n${ids.map((id) => `${id},1,2\n`).join('')}`);
  writeFileSync(join(dir, 'localization.csv'), `image_id,class,x,y,score\n${ids.map((id) => `${id},a,0,0,1\n`).join('')}`);
  for (const id of ids) writeFileSync(join(dir, 'segmentation', `${id}.png`), `png of ${id}`);
  writeFileSync(join(dir, 'segmentation', 'classes.txt'), 'a\nb\n');
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  writeShardInfo(dir, { shard: i, shards: n, images: ids.length, total: 5, run: 'r', checkpoint: 'best', split: 'test' });
  return dir;
}

test('merge: CSVs concatenated in shard order, masks and shared files copied; inconsistent sets refused', () => {
  const root = mkdtempSync(join(tmpdir(), 'wildcat-shards-'));
  try {
    const dirs = [shard(root, 0, 2, ['x1', 'x2']), shard(root, 1, 2, ['x3', 'x4', 'x5'])];
    const out = join(root, 'merged');
    assert.deepEqual(mergePredictionShards([dirs[1]!, dirs[0]!], out), { images: 5, files: 8 });
    assert.equal(readFileSync(join(out, 'classification.csv'), 'utf8'), 'image_id,a,b\nx1,1,2\nx2,1,2\nx3,1,2\nx4,1,2\nx5,1,2\n');
    assert.equal(readFileSync(join(out, 'segmentation', 'x4.png'), 'utf8'), 'png of x4');
    assert.equal(readFileSync(join(out, 'segmentation', 'classes.txt'), 'utf8'), 'a\nb\n');

    writeFileSync(join(dirs[1]!, 'segmentation', 'classes.txt'), 'a\nc\n');
    assert.throws(() => mergePredictionShards(dirs, join(root, 'm2')), /s1\/segmentation\/classes\.txt differs from .*s0\/segmentation\/classes\.txt/);
    writeFileSync(join(dirs[1]!, 'segmentation', 'classes.txt'), 'a\nb\n');
    writeFileSync(join(dirs[1]!, 'classification.csv'), 'image_id,a,c\nx3,1,2\n');
    assert.throws(() => mergePredictionShards(dirs, join(root, 'm3')), /has the header 'image_id,a,c'/);
    assert.throws(() => mergePredictionShards(dirs, dirs[0]!), /is one of the shards/);
    const other = shard(join(root, 'o'), 1, 3, ['y']);
    assert.throws(() => mergePredictionShards([dirs[0]!, other], join(root, 'm4')), /is a shard of another prediction \(shards 3/);
    writeFileSync(join(dirs[0]!, 'shard.json'), '{');
    assert.throws(() => mergePredictionShards(dirs, join(root, 'm5')), { name: 'DataFileError', message: /shard\.json: not a shard description/ });
    writeFileSync(join(dirs[0]!, 'shard.json'), 'null');
    assert.throws(() => mergePredictionShards(dirs, join(root, 'm6')), { name: 'DataFileError', message: /shard\.json: not a shard description \(expected an object/ });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
