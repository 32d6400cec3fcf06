/** Access to test/fixtures (made by scripts/make_pth_fixtures.py) from the compiled tests in dist/test/io. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rawTensorValues, type RawStateDict } from '../../src/io/index.js';

const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(name, FIXTURES));
}

/** The bytes of a fixture file (a fresh copy each call, safe to mutate). */
export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

/** One tensor as recorded by the fixture script. */
export interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  values: number[];
  hex: string;
}

/** test/fixtures/expected_weights.json, keyed by fixture file name. */
export function expectedWeights(): Record<string, { tensors?: ExpectedTensor[]; metadata?: Record<string, string>; entries?: Record<string, string> }> {
  return JSON.parse(readFileSync(fixturePath('expected_weights.json'), 'utf8')) as ReturnType<typeof expectedWeights>;
}

/** Asserts that `dict` holds exactly the expected tensors, in order, byte for byte and value for value. */
export function assertMatchesExpected(dict: RawStateDict, expected: ExpectedTensor[]): void {
  assert.deepEqual([...dict.keys()], expected.map((e) => e.name));
  for (const e of expected) {
    const t = dict.get(e.name)!;
    assert.equal(t.dtype, e.dtype, `${e.name}: dtype`);
    assert.deepEqual(t.shape, e.shape, `${e.name}: shape`);
    assert.equal(Buffer.from(t.data).toString('hex'), e.hex, `${e.name}: bytes`);
    const values = Array.from(rawTensorValues(t) as ArrayLike<number | bigint>, (v) => Number(v));
    assert.deepEqual(values, e.values, `${e.name}: values`);
  }
}

/** Runs `fn` and returns the Error it throws (failing if it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error to be thrown');
}
