import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestEpochIndex, epochRecords } from '../../src/report/index.js';

test('epoch records: ordered, last record of a repeated epoch wins, best flag followed', () => {
  const events = [
    { event: 'start' },
    { event: 'epoch', epoch: 2, loss: 0.5, valMAP: 0.6, best: false, lr: [0.001, 0.01], seconds: 3 },
    { event: 'epoch', epoch: 1, loss: 0.7, valMAP: 0.62, best: true, lr: [0.002, 0.02], seconds: 3 },
    { event: 'resume', epoch: 1 },
    { event: 'epoch', epoch: 2, loss: 0.45, valMAP: 0.61, best: false, lr: [0.001, 0.01], seconds: 3 },
  ];
  const r = epochRecords(events);
  assert.deepEqual(r.map((x) => x.epoch), [1, 2]);
  assert.equal(r[1]!.loss, 0.45);
  assert.deepEqual(r[0]!.lr, [0.002, 0.02]);
  assert.equal(bestEpochIndex(r), 0);
  assert.equal(bestEpochIndex(r.map((x) => ({ ...x, best: false }))), 0, 'without flags: highest val mAP');
  assert.equal(bestEpochIndex([]), -1);
});
