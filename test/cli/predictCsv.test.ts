// Prediction CSVs are RFC 4180 quoted and safe to open in a spreadsheet: an id with a comma keeps
// its columns, one starting with '=' stays text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvText, writePredictions } from '../../src/cli/commands/predict.js';

test('csvText quotes separators, quotes and line breaks, and neutralizes formula prefixes', () => {
  assert.equal(csvText('000001'), '000001');
  assert.equal(csvText('a,b'), '"a,b"');
  assert.equal(csvText('say "hi"'), '"say ""hi"""');
  assert.equal(csvText('two\nlines'), '"two\nlines"');
  assert.equal(csvText('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  for (const p of ['+1', '-1', '@x', '\tx', '\rx']) assert.equal(csvText(p).replace(/^"/, '')[0], "'", p);
});

test('writePredictions: hostile ids keep their columns and read back as the same text', () => {
  const out = mkdtempSync(join(tmpdir(), 'wildcat-pred-'));
  try {
    const ids = ['plain', 'with,comma', '=1+1', 'quote"d'];
    writePredictions(out, {
      ids, classNames: ['cat', 'd,og'], scores: Float32Array.from([0.5, -1, 2, 3, 4, 5, 6, 7]),
      points: Float32Array.from({ length: 16 }, (_, i) => i), sizes: new Int32Array(8),
    });
    const cls = parse(readFileSync(join(out, 'classification.csv'), 'utf8')) as string[][];
    assert.deepEqual(cls[0], ['image_id', 'cat', 'd,og']);
    assert.deepEqual(cls.slice(1).map((r) => r[0]), ['plain', 'with,comma', "'=1+1", 'quote"d']);
    assert.ok(cls.every((r) => r.length === 3));
    const loc = parse(readFileSync(join(out, 'localization.csv'), 'utf8')) as string[][];
    assert.ok(loc.every((r) => r.length === 5));
    assert.deepEqual(loc[3], ['with,comma', 'cat', '4', '5', '2']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
