import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatasetItem } from '../../src/studio/apiTypes.js';
import { parseDatasetQuery, queryDatasetItems } from '../../src/studio/datasetQuery.js';
import { resolveDatasetId } from '../../src/studio/datasetIds.js';
import { HttpError } from '../../src/studio/httpError.js';

const NAMES = ['cat', 'dog', 'bird'];
const item = (id: string, o: Partial<DatasetItem>): DatasetItem => ({
  id, index: 0, present: [], scores: [0, 0, 0], missed: [], falsePositives: [], mislocalized: [], errors: 0, margin: null, ...o,
});
const ITEMS: DatasetItem[] = [
  item('a1', { present: [0], scores: [2, 1, 0], falsePositives: [], errors: 0, margin: 1 }),
  item('b2', { present: [1], scores: [3, 1, 0], falsePositives: [0], missed: [1], errors: 2, margin: -2 }),
  item('c3', { present: [0, 1], scores: [1, 0.5, 2], falsePositives: [2], mislocalized: [1], errors: 2, margin: -1.5 }),
  item('d4', { present: [2], scores: [0, 0, 5], mislocalized: [2], errors: 1, margin: 5 }),
];
const q = (s: string) => parseDatasetQuery(new URLSearchParams(s), NAMES);
const ids = (s: string) => queryDatasetItems(ITEMS, q(s)).items.map((i) => i.id);

test('filters: errors, false positives, false negatives, localization misses, by class', () => {
  assert.deepEqual(ids('sort=id'), ['a1', 'b2', 'c3', 'd4']);
  assert.deepEqual(ids('filter=errors&sort=id'), ['b2', 'c3', 'd4']);
  assert.deepEqual(ids('filter=fp&sort=id'), ['b2', 'c3']);
  assert.deepEqual(ids('filter=fp&class=bird'), ['c3']);
  assert.deepEqual(ids('filter=fn'), ['b2']);
  assert.deepEqual(ids('filter=loc&sort=id'), ['c3', 'd4']);
  assert.deepEqual(ids('filter=loc&class=dog'), ['c3']);
  assert.deepEqual(ids('class=cat&sort=id'), ['a1', 'b2', 'c3', 'd4'], 'all + class: no restriction');
  assert.deepEqual(ids('filter=present&class=cat&sort=id'), ['a1', 'c3'], 'present + class: images where it is present');
  assert.deepEqual(ids('filter=errors&class=cat'), ['b2'], 'errors + class: the class is in an error');
});

test('sorting (ties by id) and paging', () => {
  assert.deepEqual(ids(''), ['b2', 'c3', 'd4', 'a1'], 'default: most errors first');
  assert.deepEqual(ids('sort=score&class=bird'), ['d4', 'c3', 'a1', 'b2']);
  assert.deepEqual(ids('sort=score'), ['d4', 'b2', 'a1', 'c3'], 'without a class: the top score');
  assert.deepEqual(ids('sort=margin'), ['b2', 'c3', 'a1', 'd4'], 'least sure first');
  assert.deepEqual(ids('sort=id&order=desc'), ['d4', 'c3', 'b2', 'a1']);
  const page = queryDatasetItems(ITEMS, q('sort=id&offset=1&limit=2'));
  assert.equal(page.total, 4);
  assert.deepEqual(page.items.map((i) => i.id), ['b2', 'c3']);
  assert.deepEqual(queryDatasetItems(ITEMS, q('offset=10')).items, []);
});

test('bad query parameters: 400 naming the parameter and what it accepts', () => {
  const bad: [string, RegExp][] = [
    ['filter=wrong', /filter='wrong': expected one of all, present, errors, fp, fn, loc/],
    ['class=cow', /class='cow': expected one of cat, dog, bird/],
    ['sort=random', /sort='random'/],
    ['order=up', /order='up'/],
    ['offset=-1', /offset='-1': expected an integer/],
    ['limit=1e9', /limit='1e9'/],
    ['limit=100000', /limit='100000': expected an integer from 0 to 500/],
  ];
  for (const [s, re] of bad) {
    assert.throws(() => q(s), (e: unknown) => e instanceof HttpError && e.status === 400 && re.test(e.message), s);
  }
});

test('dataset ids: only ids of the split; paths, traversal and odd characters are 400', () => {
  const index = new Map([['000001', 0], ['2008_000123', 1], ['a.b-c', 2]]);
  assert.equal(resolveDatasetId('000001', index), 0);
  assert.equal(resolveDatasetId('2008_000123', index), 1);
  assert.equal(resolveDatasetId('a.b-c', index), 2);
  const status = (seg: string) => {
    try {
      resolveDatasetId(seg, index);
      return 200;
    } catch (e) {
      assert.ok(e instanceof HttpError);
      return e.status;
    }
  };
  for (const seg of ['..', '.', '..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', '..%5Cwin.ini', 'C%3A%5Cwin', '.hidden', 'a..b', '%00', 'a%2Fb', '%E0%A4%A', 'x'.repeat(129), '', ' 000001']) {
    assert.equal(status(seg), 400, seg);
  }
  assert.equal(status('000002'), 404);
  assert.throws(() => resolveDatasetId('000002', index), /no image '000002' in this split/);
});
