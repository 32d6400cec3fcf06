import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PickleDict, PickleOpaque, WeightFileError, isPickleTuple, unpickle } from '../../src/io/index.js';
import { fixturePath, thrown } from './fixtures.js';

/** Python pickles of one object, protocols 0–5, from scripts/make_pth_fixtures.py. */
const PICKLES = JSON.parse(readFileSync(fixturePath('pickles.json'), 'utf8')) as Record<string, string>;
const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const bin = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function assertPickleError(bytes: Uint8Array, pattern: RegExp, options = {}): void {
  const e = thrown(() => unpickle(bytes, { source: 'obj.pkl', ...options }));
  assert.ok(e instanceof WeightFileError, `expected WeightFileError, got ${e.name}: ${e.message}`);
  assert.ok(e.message.startsWith('obj.pkl: pickle: '), e.message);
  assert.match(e.message, pattern);
}

for (const protocol of Object.keys(PICKLES)) {
  test(`unpickles the reference object written with protocol ${protocol}`, () => {
    const obj = unpickle(hex(PICKLES[protocol]!), { source: `protocol${protocol}.pkl` });
    assert.ok(obj instanceof PickleDict);
    const d = obj as PickleDict;
    assert.equal(d.get('int1'), 1);
    assert.equal(d.get('int2'), 300);
    assert.equal(d.get('int4'), 70000);
    assert.equal(d.get('neg'), -5);
    assert.equal(d.get('big'), 2n ** 70n);
    assert.equal(d.get('negbig'), -(2n ** 100n));
    assert.equal(d.get('float'), 1.5);
    assert.equal(d.get('negfloat'), -2.25e-300);
    assert.equal(d.get('str'), 'h\u00e9llo \u2713\nline\\');
    assert.equal(d.get('long_str'), 'x'.repeat(300));
    assert.deepEqual(d.get('bytes'), new Uint8Array([0, 0xff, 0x61, 0x62]));
    assert.deepEqual(d.get('bytearray'), new Uint8Array([1, 2]));
    assert.deepEqual(d.get('list'), [1, 2, [3]]);
    for (const [k, v] of [['tuple0', []], ['tuple1', [1]], ['tuple2', [1, 'x']], ['tuple3', [1, 2, 3]], ['tuple5', [1, 2, 3, 4, 5]]] as const) {
      assert.ok(isPickleTuple(d.get(k)), `${k} is a tuple`);
      assert.deepEqual([...(d.get(k) as unknown[])], v);
    }
    assert.ok(!isPickleTuple(d.get('list')));
    assert.equal(d.get('none'), null);
    assert.deepEqual(d.get('bools'), [true, false]);
    const od = d.get('od') as PickleDict;
    assert.equal(od.pythonType, 'collections.OrderedDict');
    assert.deepEqual([...od], [['b', 1], ['a', 2]]);
    assert.deepEqual(d.get('set'), new Set([1, 2]));
    assert.deepEqual(d.get('frozenset'), new Set([3]));
    assert.equal(d.get('shared_a'), d.get('shared_b'), 'shared references stay shared');
    assert.deepEqual([...(d.get('int_keys') as PickleDict)], [[1, 'one'], [2, 'two']]);
    const memo = d.get('memo') as string[];
    assert.equal(memo.length, 260);
    assert.equal(memo[259], 'm259');
    assert.equal(d.get('memo_again'), 'm259');
  });
}

test('globals off the allow-list are refused, never executed', () => {
  assertPickleError(bin('\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.'), /refusing to load Python global 'os\.system'.*nothing is executed/);
  assertPickleError(bin('\x80\x02cposix\nsystem\nX\x02\x00\x00\x00ls\x85R.'), /'posix\.system'/);
  assertPickleError(bin('\x80\x02c__builtin__\neval\nX\x01\x00\x00\x001\x85R.'), /'builtins\.eval'/);
  assertPickleError(bin('\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x93\x94.'), /'os\.system'.*opcode STACK_GLOBAL at byte 16/);
  assertPickleError(bin('\x80\x02c__main__\nNet\n)\x81.'), /'__main__\.Net'.*whole pickled module.*torch\.save\(model\.state_dict\(\), path\)/);
  assertPickleError(bin('\x80\x02cnumpy.core.multiarray\nscalar\n.'), /numpy objects cannot be loaded/);
});

test('opaqueUnknownGlobals records the request as an inert object', () => {
  const obj = unpickle(bin('\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R}X\x01\x00\x00\x00aK\x01sb.'), { opaqueUnknownGlobals: true });
  assert.ok(obj instanceof PickleOpaque);
  const o = obj as PickleOpaque;
  assert.equal(o.qualifiedName, 'os.system');
  assert.equal(o.kind, 'call');
  assert.deepEqual([...o.args], ['ls']);
  assert.deepEqual([...(o.state as PickleDict)], [['a', 1]]);
});

test('BUILD on an OrderedDict sets attributes, not items (the state_dict _metadata case)', () => {
  const bytes = bin('\x80\x02ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00kK\x07u}X\t\x00\x00\x00_metadataK\x01sb.');
  const d = unpickle(bytes) as PickleDict;
  assert.deepEqual([...d], [['k', 7]]);
  assert.equal(d.attributes.get('_metadata'), 1);
});

test('persistent ids go to persistentLoad, and are an error without one', () => {
  const bytes = bin('\x80\x02(X\x07\x00\x00\x00storageK\x05tQ.');
  assert.deepEqual(unpickle(bytes, { persistentLoad: (pid) => ({ got: pid }) }), { got: ['storage', 5] });
  assertPickleError(bytes, /persistent id found but no persistent_load was provided \(opcode BINPERSID at byte 18\)/);
  assertPickleError(bytes, /persistent_load: boom/, { persistentLoad: () => { throw new Error('boom'); } });
});

test('corrupt pickles are reported with the opcode and offset', () => {
  assertPickleError(bin('\x80\x02.'), /stack underflow \(corrupt pickle\) \(opcode STOP at byte 2\)/);
  assertPickleError(bin('\x80\x02h\x05.'), /memo key 5 was never stored \(corrupt pickle\) \(opcode BINGET at byte 2\)/);
  assertPickleError(bin('\x80\x02\xff.'), /unknown opcode 0xff \(corrupt data, or not a pickle\) \(opcode 0xff at byte 2\)/);
  assertPickleError(bin('\x80\x02)K\x01a.'), /cannot append to a tuple/);
  assertPickleError(bin('\x80\x02]K\x01K\x02s.'), /cannot set items on a list/);
  assertPickleError(bin('\x80\x02K\x01K\x02u.'), /no MARK to pop to/);
  assertPickleError(bin('\x80\x02X\x02\x00\x00\x00\xff\xfe.'), /string is not valid UTF-8/);
  assertPickleError(bin('\x80\x02X\xff\xff\x00\x00ab.'), /data is truncated: needs 65535 more bytes/);
  assertPickleError(bin('\x80\x02N'), /reached the end without a STOP opcode/);
  assertPickleError(bin('\x80\x09N.'), /unsupported pickle protocol 9/);
  assertPickleError(bin('\x80\x02ccollections\nOrderedDict\nK\x05\x85R.'), /collections\.OrderedDict\(\.\.\.\): .*argument must be a dict or a list of pairs/);
  assertPickleError(bin('\x80\x05\x97.'), /out-of-band buffers/);
  assertPickleError(bin('(i__main__\nX\n.'), /INST\/OBJ\) is not supported/);
});

test('every truncation and random corruption fails cleanly', () => {
  const bytes = hex(PICKLES['2']!);
  for (let n = 0; n < bytes.byteLength; n++) {
    const e = thrown(() => unpickle(bytes.subarray(0, n), { source: 'cut.pkl' }));
    assert.ok(e instanceof WeightFileError && e.message.startsWith('cut.pkl: pickle: '), `length ${n}: ${e.message}`);
  }
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const protocol of ['0', '2', '4']) {
    const good = hex(PICKLES[protocol]!);
    for (let trial = 0; trial < 1500; trial++) {
      const b = good.slice();
      b[Math.floor(rand() * b.byteLength)] = Math.floor(rand() * 256);
      try {
        unpickle(b);
      } catch (e) {
        assert.ok(e instanceof WeightFileError, `protocol ${protocol} trial ${trial}: ${(e as Error).stack}`);
      }
    }
  }
});
