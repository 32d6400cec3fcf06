import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkStep, identicalPrefix, judgeSteps, DEFAULT_TOLERANCES } from '../../parity/compare.js';
import { DEFAULT_PYTHON, torchAvailable } from '../../bench/common.js';

const w = (...v: number[]) => Float64Array.from(v);

test('step comparison: agreement, a weight off by a fraction of its update, a loss off, a missing tensor, NaN', () => {
  const before = new Map([['a', w(0, 0, 0)], ['b', w(1, 1)]]);
  const after = new Map([['a', w(1, -1, 0.5)], ['b', w(1.1, 0.9)]]);
  const same = checkStep(1, 0.5, 0.5, before, after, new Map(after));
  assert.equal(same.updateError, 0);
  assert.equal(same.globalError, 0);
  assert.equal(judgeSteps([same]).ok, true);

  // 'b' moved by 0.1 per value; 5 % of that on one value is far beyond float rounding.
  const off = checkStep(2, 0.5, 0.5, before, after, new Map([['a', w(1, -1, 0.5)], ['b', w(1.105, 0.9)]]));
  assert.equal(off.tensor, 'b');
  assert.ok(Math.abs(off.updateError - 0.005 / Math.sqrt(0.02)) < 1e-9, String(off.updateError));
  const v = judgeSteps([same, off]);
  assert.equal(v.ok, false);
  assert.equal(v.worstStep, 2);
  assert.match(v.problems.join('\n'), /step 2: b off by/);

  // Rounding-sized differences pass.
  const tiny = checkStep(3, 0.5, 0.5 + 1e-7, before, after, new Map([['a', w(1, -1 + 1e-9, 0.5)], ['b', w(1.1, 0.9)]]));
  assert.equal(judgeSteps([tiny]).ok, true);
  assert.ok(tiny.updateError < DEFAULT_TOLERANCES.updateRel);

  const loss = judgeSteps([checkStep(4, 0.5, 0.51, before, after, new Map(after))]);
  assert.equal(loss.ok, false);
  assert.match(loss.problems[0]!, /step 4: loss ours 0\.5, PyTorch 0\.51/);

  const missing = judgeSteps([checkStep(5, 0.5, 0.5, before, after, new Map([['a', after.get('a')!]]))]);
  assert.equal(missing.ok, false);
  assert.match(missing.problems.join('\n'), /b \(PyTorch lacks it\)/);

  const nan = judgeSteps([checkStep(6, NaN, 0.5, before, after, new Map([['a', w(NaN, -1, 0.5)], ['b', w(1.1, 0.9)]]))]);
  assert.equal(nan.ok, false);
  assert.equal(nan.worstUpdate, Infinity);

  // A tensor the step did not move must not move on the other side.
  const frozen = checkStep(7, 0.5, 0.5, before, new Map([['a', w(0, 0, 0)]]), new Map([['a', w(0, 0, 1e-6)]]));
  assert.equal(frozen.updateError, Infinity);
  assert.equal(judgeSteps([]).ok, false, 'nothing compared is not a pass');

  assert.equal(identicalPrefix([1, 2, 3], [1, 2, 4]), 2);
  assert.equal(identicalPrefix([1, 2], [1, 2]), 2);
  assert.equal(identicalPrefix([NaN], [NaN]), 1);
});

const hasTorch = torchAvailable(DEFAULT_PYTHON);

test('npm run parity fails when our momentum is changed, from the step where momentum first acts', { skip: hasTorch ? false : `${DEFAULT_PYTHON} has no torch (make parity installs python3-torch)` }, () => {
  // One run keeps the suite lean: its first WSL step (before momentum acts) must agree, the next
  // must not. (The full unperturbed run is \`npm run parity\`, quoted in the README.)
  const script = fileURLToPath(new URL('../../parity/parity.js', import.meta.url));
  const bad = spawnSync(process.execPath, [script, '--cases', 'max-s16,pretrain', '--steps', '2', '--perturb', 'momentum=0.8'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /OUR side perturbed: momentum = 0\.8/);
  assert.match(bad.stdout, /parity: 2 of 2 cases FAIL/);
  // Plain momentum first acts on the second step (the buffer starts as the first gradient), so the
  // WSL step agrees at step 1 and fails at step 2; Nesterov's update g + m·buf uses m at once.
  assert.doesNotMatch(bad.stdout, /max-s16: step 1:/);
  assert.match(bad.stdout, /max-s16: step 2: .* off by/);
  assert.match(bad.stdout, /pretrain: step 1: .* off by/);
});
