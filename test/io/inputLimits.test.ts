// Bounded readers: small or damaged weight files cannot take gigabytes, minutes or the call
// stack; each refusal names the file, the figure and the limit (and how to raise it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  InputLimitError, WeightFileError, inputLimits, parseLimits, parsePytorchCheckpoint, parseSafetensors, unpickle,
  DEFAULT_INPUT_LIMITS, LIMITS_ENV, type InputLimits,
} from '../../src/io/index.js';
import { thrown } from './fixtures.js';
import { P, checkpoint, f32bytes, tensorV2 } from './pickleWriter.js';
import { writeZip } from './zipWriter.js';

function assertLimit(fn: () => unknown, source: string, limit: keyof InputLimits): InputLimitError {
  const e = thrown(fn);
  assert.ok(e instanceof InputLimitError, `expected InputLimitError, got ${e.name}: ${e.message}`);
  assert.equal(e.limit, limit);
  assert.ok(e.message.startsWith(`${source}: `), e.message);
  assert.match(e.message, new RegExp(`over the limit of [\\d,]+ \\(${limit}\\); .*${LIMITS_ENV}=${limit}=\\d+`));
  return e;
}

const pickleBytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

test('limits: defaults, WILDCAT_LIMITS and per-call overrides, with clear errors for bad settings', () => {
  assert.equal(inputLimits().imagePixels, DEFAULT_INPUT_LIMITS.imagePixels);
  const saved = process.env[LIMITS_ENV];
  try {
    process.env[LIMITS_ENV] = 'imagePixels=4e8, classes=50_000';
    assert.equal(inputLimits().imagePixels, 4e8);
    assert.equal(inputLimits().classes, 50_000);
    assert.equal(inputLimits({ classes: 7 }).classes, 7);
  } finally {
    if (saved === undefined) delete process.env[LIMITS_ENV];
    else process.env[LIMITS_ENV] = saved;
  }
  assert.throws(() => parseLimits('pixels=3'), { name: 'RangeError', message: /^Expected one of headerBytes, .* for a limit name in WILDCAT_LIMITS but received 'pixels'$/ });
  assert.throws(() => parseLimits('classes=-1'), { name: 'RangeError', message: "Expected a number >= 0 for limit classes in WILDCAT_LIMITS but received '-1'" });
});

test('a 492-byte .pth holding a [25000, 25000] stride-0 view of one element is refused, not materialized (2.5 GB)', () => {
  const pth = checkpoint(P.dict([['w', tensorV2(P.storage('FloatStorage', '0', 1), 0, [25000, 25000], [0, 0])]]), { 0: f32bytes([1]) });
  assert.ok(pth.byteLength < 1000);
  const e = assertLimit(() => parsePytorchCheckpoint(pth, 'bomb.pth'), 'bomb.pth', 'expandedViewBytes');
  assert.match(e.message, /tensor 'w' \(a \[25000, 25000\] view with stride \[0, 0\]\) expanding 2499999996 bytes beyond its 4-byte storage/);
  // A small expanded view is an ordinary (if rare) tensor.
  const small = parsePytorchCheckpoint(checkpoint(P.dict([['w', tensorV2(P.storage('FloatStorage', '0', 1), 0, [3, 2], [0, 0])]]), { 0: f32bytes([7]) }), 'small.pth');
  assert.deepEqual(small.get('w')!.shape, [3, 2]);
});

test("a deflated data.pkl is bounded by its declared size: a large one is refused before inflating, a lying one stops at the declared size", () => {
  const big = writeZip([{ name: 'arch/data.pkl', data: new Uint8Array(300 * 2 ** 20), method: 8 }]);
  assert.ok(big.byteLength < 1_000_000);
  const e = assertLimit(() => parsePytorchCheckpoint(big, 'big.pth'), 'big.pth', 'pickleBytes');
  assert.match(e.message, /ZIP entry 'arch\/data.pkl' of 314572800 bytes/);
  // The same bomb with a declared size of 100 bytes: inflating stops after 101.
  const lying = writeZip([{ name: 'arch/data.pkl', data: new Uint8Array(64 * 2 ** 20), method: 8 }]);
  const view = new DataView(lying.buffer, lying.byteOffset, lying.byteLength);
  for (let p = 0; p + 4 <= lying.byteLength; p++) if (view.getUint32(p, true) === 0x02014b50) view.setUint32(p + 24, 100, true);
  const l = thrown(() => parsePytorchCheckpoint(lying, 'lying.pth', { verifyCrc: false }));
  assert.ok(l instanceof WeightFileError, l.message);
  assert.equal(l.message, "lying.pth: ZIP entry 'arch/data.pkl' inflates to more than its declared 100 bytes (corrupt archive)");
});

test('deep nesting is refused by depth (safetensors header, pickle), and a dict that contains itself is named', () => {
  const json = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const header = new TextEncoder().encode(json);
  const st = new Uint8Array(8 + header.byteLength);
  new DataView(st.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  st.set(header, 8);
  assertLimit(() => parseSafetensors(st, 'deep.safetensors'), 'deep.safetensors', 'nestingDepth');

  // 100,000 nested lists in 200 KB: ']' then (']' 'a') pairs build [[[...]]] without MARK.
  const deep = pickleBytes(`\x80\x02]${']'.repeat(100_000)}${'a'.repeat(100_000)}.`);
  assertLimit(() => unpickle(deep, { source: 'deep.pkl' }), 'deep.pkl', 'nestingDepth');
  assertLimit(() => unpickle(pickleBytes(`\x80\x02${'('.repeat(100_000)}`), { source: 'marks.pkl' }), 'marks.pkl', 'nestingDepth');
  // Within the limit, nesting is fine.
  const ok = unpickle(pickleBytes(`\x80\x02]${']'.repeat(50)}${'a'.repeat(50)}.`), { source: 'ok.pkl' });
  assert.ok(Array.isArray(ok));

  // d = {}; d['self'] = d, through the memo: flattening it would never end.
  const cyclic = checkpoint(`}q\x00X${'\x04\x00\x00\x00'}selfh\x00s`, {});
  const e = thrown(() => parsePytorchCheckpoint(cyclic, 'cyclic.pth'));
  assert.ok(e instanceof WeightFileError, e.message);
  assert.match(e.message, /^cyclic\.pth: the state_dict entry 'self' contains itself/);
});

test('a 200 KB LONG4 decodes (linearly) to the right integer; 300,000 APPENDS items do not overflow the stack', () => {
  const n = 200_000;
  const payload = new Uint8Array(n);
  payload[0] = 5;
  payload[n - 1] = 0x40; // positive: 5 + 0x40 << 8(n-1)
  const le4 = new Uint8Array(4);
  new DataView(le4.buffer).setInt32(0, n, true);
  const bytes = new Uint8Array([0x80, 0x02, 0x8b, ...le4, ...payload, 0x2e]);
  const v = unpickle(bytes, { source: 'long.pkl' }) as bigint;
  assert.equal(typeof v, 'bigint');
  assert.equal(v & 0xffn, 5n);
  assert.equal(v >> BigInt(8 * (n - 1)), 0x40n);
  const appends = pickleBytes(`\x80\x02](${'K\x01'.repeat(300_000)}e.`);
  assert.equal((unpickle(appends, { source: 'appends.pkl' }) as unknown[]).length, 300_000);
});
