import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, formatProgress, formatDuration } from '../../src/train/progress.js';

test('formatProgress: label, bar, counter, figures and ETA', () => {
  assert.equal(
    formatProgress({ label: 'epoch 1/8', done: 30, total: 120, figures: { loss: 0.41234, 'img/s': 88.12, lr: 0.05 } }, 10),
    'epoch 1/8 [#####---------------] 30/120  loss 0.4123  img/s 88.12  lr 0.0500  eta 0:30',
  );
  // Done: full bar, no ETA; no figures: nothing after the counter.
  assert.equal(formatProgress({ label: 'eval', done: 12, total: 12 }, 3), 'eval [####################] 12/12');
  // Nothing done yet: empty bar, no ETA (unknown); a zero total does not divide by zero.
  assert.equal(formatProgress({ label: 'x', done: 0, total: 10 }, 0), 'x [--------------------] 0/10');
  assert.equal(formatProgress({ label: 'x', done: 0, total: 0 }, 0), 'x [--------------------] 0/0');
  // Large, small, non-finite and string figures.
  assert.equal(
    formatProgress({ label: 'p', done: 1, total: 1, figures: { n: 1234.5, l: NaN, s: 'ok' } }, 1),
    'p [####################] 1/1  n 1235  l NaN  s ok',
  );
  // Overshoot is clamped to a full bar.
  assert.match(formatProgress({ label: 'p', done: 15, total: 10 }, 1), /^p \[#{20}\] 15\/10$/);
});

test('formatDuration: m:ss, h:mm:ss', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(59.6), '1:00');
  assert.equal(formatDuration(61), '1:01');
  assert.equal(formatDuration(3600 + 62), '1:01:02');
  assert.equal(formatDuration(-5), '0:00');
});

/** A fake stream collecting writes. */
function sink(isTTY: boolean): { stream: NodeJS.WriteStream; out: string[] } {
  const out: string[] = [];
  return { stream: { isTTY, write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WriteStream, out };
}

test('Progress: plain lines off a terminal (throttled, last one always), redraws on a terminal, silent when disabled', () => {
  const plain = sink(false);
  const p = new Progress({ stream: plain.stream, intervalMs: 60_000 });
  for (let d = 1; d <= 5; d++) p.update({ label: 'e', done: d, total: 5 });
  p.end();
  assert.deepEqual(plain.out, ['e [####----------------] 1/5  eta 0:00\n', 'e [####################] 5/5\n']);

  const tty = sink(true);
  const q = new Progress({ stream: tty.stream, intervalMs: 0 });
  q.update({ label: 'e', done: 1, total: 2 });
  q.update({ label: 'e', done: 2, total: 2 });
  q.end();
  q.end();
  assert.equal(tty.out.length, 3);
  assert.ok(tty.out[0]!.startsWith('\r\x1b[2Ke [##########'));
  assert.equal(tty.out[2], '\n', 'end() closes the redrawn line once');

  const off = sink(true);
  const r = new Progress({ stream: off.stream, enabled: false });
  r.update({ label: 'e', done: 1, total: 1 }, true);
  r.end();
  assert.deepEqual(off.out, []);
});
