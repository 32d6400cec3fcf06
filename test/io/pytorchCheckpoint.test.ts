import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  PickleDict, TorchTensorRef, WeightFileError, ZipArchive, isLegacyTorchFile, parsePytorchCheckpoint, rawTensorValues,
  readPytorchCheckpoint, type RawStateDict,
} from '../../src/io/index.js';
import { assertMatchesExpected, expectedWeights, fixturePath, readFixture, thrown } from './fixtures.js';
import { writeZip, type ZipWriteEntry } from './zipWriter.js';
import { P, checkpoint, f32bytes, tensorV2 } from './pickleWriter.js';

const EXPECTED = expectedWeights();

function assertCheckpointError(fn: () => unknown, source: string, pattern: RegExp): void {
  const e = thrown(fn);
  assert.ok(e instanceof WeightFileError, `expected WeightFileError, got ${e.name}: ${e.message}`);
  assert.ok(e.message.startsWith(`${source}: `), e.message);
  assert.match(e.message, pattern);
}

/** The entries of a fixture archive, transformed and written back with the test writer. */
function rewrite(name: string, edit: (entries: ZipWriteEntry[]) => ZipWriteEntry[], options: Parameters<typeof writeZip>[1] = {}): Uint8Array {
  const zip = ZipArchive.open(readFixture(name), name);
  const entries = zip.names().map((n) => ({ name: n, data: zip.read(n).slice() }));
  return writeZip(edit(entries), options);
}

const values = (dict: RawStateDict, name: string): number[] => Array.from(rawTensorValues(dict.get(name)!) as Float32Array);

test('a bare state_dict (conv + BatchNorm + linear) matches the values PyTorch saved', () => {
  const r = readPytorchCheckpoint(readFixture('conv_bn_linear.pth'), 'conv_bn_linear.pth');
  assertMatchesExpected(r.tensors, EXPECTED['conv_bn_linear.pth']!.tensors!);
  assert.equal(r.stateDictKey, '');
  assert.deepEqual(r.skipped, []);
  const nbt = r.tensors.get('bn.num_batches_tracked')!;
  assert.equal(nbt.dtype, 'int64');
  assert.deepEqual(nbt.shape, []);
  assert.deepEqual(Array.from(rawTensorValues(nbt) as BigInt64Array), [3n]);
  const root = r.root as PickleDict;
  assert.equal(root.pythonType, 'collections.OrderedDict');
  assert.ok(root.attributes.get('_metadata') instanceof PickleDict, '_metadata is an attribute, not an entry');
});

test('the same state_dict pickled with protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL)', () => {
  assertMatchesExpected(parsePytorchCheckpoint(readFixture('conv_bn_linear_proto4.pth')), EXPECTED['conv_bn_linear_proto4.pth']!.tensors!);
});

test('a training checkpoint: shared-storage views, strides, every dtype, nested dicts, a Parameter', () => {
  const r = readPytorchCheckpoint(readFixture('views_dtypes_checkpoint.pth'), 'views_dtypes_checkpoint.pth');
  assertMatchesExpected(r.tensors, EXPECTED['views_dtypes_checkpoint.pth']!.tensors!);
  assert.equal(r.stateDictKey, 'state_dict');
  const root = r.root as PickleDict;
  assert.equal(root.get('epoch'), 7);
  assert.equal(root.get('arch'), 'tiny');
  assert.equal(root.get('best_score'), 0.875);
  assert.equal(root.get('big_int'), 2n ** 70n);
  const optimizerState = (root.get('optimizer') as PickleDict).get('state') as PickleDict;
  assert.ok((optimizerState.get(0) as PickleDict).get('momentum_buffer') instanceof TorchTensorRef, 'int keys and tensors outside the state_dict survive');
  // Contiguous views of a shared storage alias its bytes; non-contiguous ones are copied.
  const base = r.tensors.get('base')!.data;
  const row = r.tensors.get('row')!.data;
  assert.equal(row.buffer, base.buffer);
  assert.equal(row.byteOffset, base.byteOffset + 12 * 4);
  assert.notEqual(r.tensors.get('transposed')!.data.buffer, base.buffer);
  assert.deepEqual(values(r.tensors, 'expanded'), [1, 2, 3, 1, 2, 3]);
});

test("weights under a 'model' entry next to non-tensor entries", () => {
  const r = readPytorchCheckpoint(readFixture('model_key_checkpoint.pth'), 'model_key_checkpoint.pth');
  assert.equal(r.stateDictKey, 'model');
  assertMatchesExpected(r.tensors, EXPECTED['model_key_checkpoint.pth']!.tensors!);
});

test('the legacy (pre-1.6) format is refused with a re-save hint', () => {
  const bytes = readFixture('legacy_format.pth');
  assert.ok(isLegacyTorchFile(bytes));
  assertCheckpointError(() => parsePytorchCheckpoint(bytes, 'legacy_format.pth'), 'legacy_format.pth',
    /legacy \(pre-1\.6, non-zip\) torch\.save format.*re-save it with torch>=1\.6.*_use_new_zipfile_serialization=True/);
  const tar = new Uint8Array(600);
  tar.set(Buffer.from('ustar'), 257);
  assertCheckpointError(() => parsePytorchCheckpoint(tar, 'old.tar.pth'), 'old.tar.pth', /legacy/);
});

test('whole pickled modules and TorchScript archives are refused with hints', () => {
  assertCheckpointError(() => parsePytorchCheckpoint(readFixture('whole_module.pth'), 'whole_module.pth'), 'whole_module.pth',
    /refusing to load Python global 'torch\.nn\.modules\.container\.Sequential'.*torch\.save\(model\.state_dict\(\), path\)/);
  assertCheckpointError(() => parsePytorchCheckpoint(readFixture('whole_module.pth'), 'whole_module.pth', { opaqueUnknownGlobals: true }), 'whole_module.pth',
    /the checkpoint is a pickled torch\.nn\.modules\.container\.Sequential object, not a state_dict: re-save with torch\.save\(model\.state_dict\(\), path\)/);
  assertCheckpointError(() => parsePytorchCheckpoint(readFixture('torchscript.pt'), 'torchscript.pt'), 'torchscript.pt',
    /TorchScript archive \(torch\.jit\.save\), not a state_dict/);
});

test('foreign files are refused with named errors', () => {
  assertCheckpointError(() => parsePytorchCheckpoint(new Uint8Array(0), 'empty.pth'), 'empty.pth', /file is empty/);
  assertCheckpointError(() => parsePytorchCheckpoint(new Uint8Array(Buffer.from('GIF89a not weights')), 'cat.gif'), 'cat.gif',
    /not a PyTorch checkpoint: expected a ZIP archive \(torch\.save since 1\.6\), found bytes 47 49 46 38 39 61 20 6e/);
  const plainPickle = new Uint8Array(Buffer.from((JSON.parse(readFileSync(fixturePath('pickles.json'), 'utf8')) as Record<string, string>)['2']!, 'hex'));
  assertCheckpointError(() => parsePytorchCheckpoint(plainPickle, 'obj.pkl'), 'obj.pkl', /plain Python pickle, not a torch\.save checkpoint/);
  assertCheckpointError(() => parsePytorchCheckpoint(readFixture('python_written.safetensors'), 'w.safetensors'), 'w.safetensors', /not a PyTorch checkpoint/);
  assertCheckpointError(() => parsePytorchCheckpoint(readFixture('mixed_methods.zip'), 'mixed_methods.zip'), 'mixed_methods.zip',
    /no '<name>\/data\.pkl' record \(entries: 'dir\/stored\.txt', 'dir\/deflated\.txt', 'dir\/zip64\.bin', 'empty\.txt'\)/);
});

test('every truncation of a checkpoint is refused with an error naming the file', () => {
  const bytes = readFixture('views_dtypes_checkpoint.pth');
  for (let n = 0; n < bytes.byteLength; n++) {
    const e = thrown(() => parsePytorchCheckpoint(bytes.subarray(0, n), 'cut.pth'));
    assert.ok(e instanceof WeightFileError && e.message.startsWith('cut.pth: '), `length ${n}: ${e.message}`);
  }
});

test('corrupted records are caught by their CRC, or by the unpickler when CRCs are skipped', () => {
  const name = 'conv_bn_linear.pth';
  const bytes = readFixture(name);
  const zip = ZipArchive.open(bytes);
  const localData = (entry: string): number => {
    const e = zip.entries.get(entry)!;
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    return e.localHeaderOffset + 30 + v.getUint16(e.localHeaderOffset + 26, true) + v.getUint16(e.localHeaderOffset + 28, true);
  };
  const flipped = bytes.slice();
  flipped[localData('conv_bn_linear/data/2') + 1]! ^= 0x10;
  assertCheckpointError(() => parsePytorchCheckpoint(flipped, name), name, /ZIP entry 'conv_bn_linear\/data\/2': CRC-32 mismatch/);
  const badPickle = bytes.slice();
  badPickle[localData('conv_bn_linear/data.pkl') + 2] = 0xff; // the opcode after PROTO 2
  assertCheckpointError(() => parsePytorchCheckpoint(badPickle, name), name, /ZIP entry 'conv_bn_linear\/data\.pkl': CRC-32 mismatch/);
  assertCheckpointError(() => parsePytorchCheckpoint(badPickle, name, { verifyCrc: false }), name, /pickle: unknown opcode 0xff .*at byte 2/);
});

test('deflated records and saturated ZIP64 fields read the same tensors', () => {
  const bytes = rewrite('views_dtypes_checkpoint.pth', (es) => es.map((e) => ({ ...e, method: 8 })), { zip64: 'saturated' });
  assertMatchesExpected(parsePytorchCheckpoint(bytes, 'deflated.pth'), EXPECTED['views_dtypes_checkpoint.pth']!.tensors!);
});

test("big-endian storages (a 'byteorder' record saying 'big') are converted", () => {
  const name = 'views_dtypes_checkpoint.pth';
  const itemSizes = new Map<string, number>();
  const collect = (v: unknown): void => {
    if (v instanceof TorchTensorRef) itemSizes.set(v.storage.key, { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 }[v.type.dtype!]);
    else if (v instanceof Map) for (const x of v.values()) collect(x);
    else if (Array.isArray(v)) v.forEach(collect);
  };
  collect(readPytorchCheckpoint(readFixture(name)).root);
  const bytes = rewrite(name, (es) => [
    ...es.map((e) => {
      const key = /\/data\/(.+)$/.exec(e.name)?.[1];
      const size = key === undefined ? 1 : itemSizes.get(key)!;
      const data = e.data.slice();
      for (let i = 0; i < data.length; i += size) data.subarray(i, i + size).reverse();
      return { ...e, data };
    }),
    { name: 'views_dtypes_checkpoint/byteorder', data: new Uint8Array(Buffer.from('big')) },
  ]);
  assertMatchesExpected(parsePytorchCheckpoint(bytes, 'big.pth'), EXPECTED[name]!.tensors!);
  const odd = rewrite(name, (es) => [...es, { name: 'views_dtypes_checkpoint/byteorder', data: new Uint8Array(Buffer.from('middle')) }]);
  assertCheckpointError(() => parsePytorchCheckpoint(odd, 'odd.pth'), 'odd.pth', /unknown byteorder record 'middle'/);
});

test('missing or short storage records, and two checkpoints in one archive', () => {
  const name = 'model_key_checkpoint.pth';
  const missing = rewrite(name, (es) => es.filter((e) => e.name !== 'model_key_checkpoint/data/1'));
  assertCheckpointError(() => parsePytorchCheckpoint(missing, 'm.pth'), 'm.pth', /storage record 'model_key_checkpoint\/data\/1' is missing/);
  const short = rewrite(name, (es) => es.map((e) => (e.name === 'model_key_checkpoint/data/0' ? { ...e, data: e.data.subarray(0, 8) } : e)));
  assertCheckpointError(() => parsePytorchCheckpoint(short, 's.pth'), 's.pth', /tensor 'fc\.weight': storage '0' should hold 6 torch\.FloatStorage elements \(24 bytes\) but its record has 8 bytes/);
  const twice = rewrite(name, (es) => [...es, ...es.map((e) => ({ ...e, name: e.name.replace('model_key_checkpoint/', 'other/') }))]);
  assertCheckpointError(() => parsePytorchCheckpoint(twice, 't.pth'), 't.pth', /several checkpoints \(model_key_checkpoint\/data\.pkl, other\/data\.pkl\)/);
});

test('torch 2.x pickles: _rebuild_tensor_v3, _rebuild_from_type_v2, _rebuild_parameter_with_state, metadata argument', () => {
  const half = new Uint8Array([0x00, 0x3c, 0x00, 0xc0]); // float16 [1, -2]
  const pickle = P.dict([
    ['v3', P.call(P.global('torch._utils', '_rebuild_tensor_v3'), P.storage('UntypedStorage', '0', 4), P.int(0), P.tuple(P.int(2)), P.tuple(P.int(1)), '\x89', P.hooks(), P.global('torch', 'float16'))],
    ['typed', P.call(P.global('torch._tensor', '_rebuild_from_type_v2'), P.global('torch._utils', '_rebuild_tensor_v2'), P.global('torch', 'Tensor'),
      P.tuple(P.storage('FloatStorage', '1', 3), P.int(1), P.tuple(P.int(2)), P.tuple(P.int(1)), '\x89', P.hooks(), '}'), P.dict([['note', P.str('attr')]]))],
    ['param', P.call(P.global('torch._utils', '_rebuild_parameter_with_state'), tensorV2(P.storage('FloatStorage', '1', 3), 0, [3], [1]), '\x88', P.hooks(), P.dict([['x', P.int(1)]]))],
    ['size', P.call(P.global('torch', 'Size'), P.tuple(P.int(2), P.int(3)))],
  ]);
  const r = readPytorchCheckpoint(checkpoint(pickle, { 0: half, 1: f32bytes([5, 6, 7]) }), 'v2.pth');
  assert.deepEqual([...r.tensors.keys()], ['v3', 'typed', 'param']);
  assert.equal(r.tensors.get('v3')!.dtype, 'float16');
  assert.deepEqual(Array.from(rawTensorValues(r.tensors.get('v3')!) as Float32Array), [1, -2]);
  assert.deepEqual(values(r.tensors, 'typed'), [6, 7]);
  assert.deepEqual(values(r.tensors, 'param'), [5, 6, 7]);
  assert.deepEqual(r.skipped, ['size']);
});

test('views reaching outside their storage and unsupported tensor kinds are named', () => {
  const outside = checkpoint(P.dict([['w', tensorV2(P.storage('FloatStorage', '0', 2), 0, [3], [1])]]), { 0: f32bytes([1, 2]) });
  assertCheckpointError(() => parsePytorchCheckpoint(outside, 'o.pth'), 'o.pth', /tensor 'w': view \(offset 0, size \[3\], stride \[1\]\) reaches element 2 of a storage of 2 elements/);
  const complex = checkpoint(P.dict([['z', tensorV2(P.storage('ComplexFloatStorage', '0', 1), 0, [1], [1])]]), { 0: new Uint8Array(8) });
  assertCheckpointError(() => parsePytorchCheckpoint(complex, 'c.pth'), 'c.pth', /tensor 'z': dtype torch\.ComplexFloatStorage is not supported/);
  const quantized = checkpoint(P.dict([['q', P.call(P.global('torch._utils', '_rebuild_qtensor'), P.int(0))]]), {});
  assertCheckpointError(() => parsePytorchCheckpoint(quantized, 'q.pth'), 'q.pth', /quantized tensors are not supported; dequantize them/);
  const none = checkpoint(P.dict([['epoch', P.int(3)]]), {});
  assertCheckpointError(() => parsePytorchCheckpoint(none, 'n.pth'), 'n.pth', /no tensors found in the checkpoint \(keys: 'epoch'\)/);
  const list = checkpoint(']', {});
  assertCheckpointError(() => parsePytorchCheckpoint(list, 'l.pth'), 'l.pth', /holds a list, not a state_dict/);
  const badPid = checkpoint(P.dict([['w', `${P.tuple(P.str('module'), P.int(1))}Q`]]), {});
  assertCheckpointError(() => parsePytorchCheckpoint(badPid, 'p.pth'), 'p.pth', /unsupported persistent id \["module",1\]/);
  const clash = checkpoint(P.dict([['a.b', tensorV2(P.storage('FloatStorage', '0', 1), 0, [1], [1])], ['a', P.dict([['b', tensorV2(P.storage('FloatStorage', '0', 1), 0, [1], [1])]])]]), { 0: f32bytes([1]) });
  assertCheckpointError(() => parsePytorchCheckpoint(clash, 'd.pth'), 'd.pth', /two entries flatten to the same name 'a\.b'/);
});

test('other Python objects next to the weights: refused by default, read past on request', () => {
  const name = 'namespace_checkpoint.pth';
  assertCheckpointError(() => parsePytorchCheckpoint(readFixture(name), name), name,
    /refusing to load Python global 'argparse\.Namespace'.*opaqueUnknownGlobals option/);
  const r = readPytorchCheckpoint(readFixture(name), name, { opaqueUnknownGlobals: true });
  assertMatchesExpected(r.tensors, EXPECTED[name]!.tensors!);
  assert.equal(r.stateDictKey, 'state_dict');
});
