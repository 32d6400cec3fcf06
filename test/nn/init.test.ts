// Initialisers: gains, fans, the statistics of each draw, PyTorch's default layer init.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, zeros, type Tensor } from '../../src/core/index.js';
import { Conv2d, Linear, init } from '../../src/nn/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.toNumbers();
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

const near = (actual: number, expected: number, rel: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (±${rel * 100}%)`);

test('calculateGain and fans follow torch.nn.init', leakFreeTidy(() => {
  assert.equal(init.calculateGain('linear'), 1);
  assert.equal(init.calculateGain('conv2d'), 1);
  assert.equal(init.calculateGain('relu'), Math.SQRT2);
  assert.equal(init.calculateGain('tanh'), 5 / 3);
  assert.equal(init.calculateGain('leaky_relu'), Math.sqrt(2 / (1 + 0.01 ** 2)));
  assert.equal(init.calculateGain('leaky_relu', Math.sqrt(5)), Math.sqrt(1 / 3));
  assert.deepEqual(init.fans(zeros([64, 32, 3, 3])), { fanIn: 288, fanOut: 576 });
  assert.deepEqual(init.fans(zeros([10, 20])), { fanIn: 20, fanOut: 10 });
  assert.throws(() => init.fans(zeros([5])), /at least 2 dimensions, got shape \[5\]/);
}));

test('kaiming / xavier / normal / uniform draws have the intended statistics', leakFreeTidy(() => {
  manualSeed(31);
  const w = zeros([128, 64, 3, 3]); // fan_in 576, fan_out 1152
  const kn = stats(init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' }));
  near(kn.std, Math.sqrt(2 / 1152), 0.02, 'kaimingNormal fan_out std');
  assert.ok(Math.abs(kn.mean) < 0.001);
  const ku = stats(init.kaimingUniform_(w));
  const bound = Math.sqrt(3) * Math.SQRT2 / Math.sqrt(576);
  assert.ok(ku.min >= -bound && ku.max <= bound && ku.max > 0.99 * bound, 'kaimingUniform bound √3·√2/√fan_in');
  near(ku.std, bound / Math.sqrt(3), 0.02, 'kaimingUniform std');
  const xu = stats(init.xavierUniform_(w, 2));
  const xb = 2 * Math.sqrt(6 / (576 + 1152));
  assert.ok(xu.min >= -xb && xu.max <= xb && xu.max > 0.99 * xb, 'xavierUniform bound');
  near(stats(init.xavierNormal_(w)).std, Math.sqrt(2 / (576 + 1152)), 0.02, 'xavierNormal std');
  const n = stats(init.normal_(w, 1, 0.5));
  near(n.mean, 1, 0.01, 'normal mean');
  near(n.std, 0.5, 0.02, 'normal std');
  const u = stats(init.uniform_(w, -2, 3));
  assert.ok(u.min >= -2 && u.max < 3);
  assert.deepEqual(new Set(init.constant_(zeros([3]), 0.25).toNumbers()), new Set([0.25]));
  assert.deepEqual(init.ones_(zeros([2])).toNumbers(), [1, 1]);
  assert.deepEqual(init.zeros_(init.ones_(zeros([2]))).toNumbers(), [0, 0]);
}));

test('initialisers work on parameters (no grad recorded) and Conv2d/Linear use PyTorch defaults', leakFreeTidy(() => {
  manualSeed(32);
  const conv = new Conv2d(16, 64, 3);
  const fanIn = 16 * 9;
  const ws = stats(conv.weight);
  assert.ok(ws.min >= -1 / Math.sqrt(fanIn) && ws.max <= 1 / Math.sqrt(fanIn), 'weight in ±1/√fan_in (kaiming uniform a=√5)');
  near(ws.std, 1 / Math.sqrt(3 * fanIn), 0.05, 'weight std');
  const bs = stats(conv.bias!);
  assert.ok(bs.min >= -1 / Math.sqrt(fanIn) && bs.max <= 1 / Math.sqrt(fanIn) && bs.max - bs.min > 0.5 / Math.sqrt(fanIn), 'bias uniform ±1/√fan_in');
  const fc = new Linear(400, 300);
  const fs = stats(fc.weight);
  assert.ok(fs.max <= 1 / 20 && fs.min >= -1 / 20);
  near(fs.std, 1 / Math.sqrt(3 * 400), 0.02, 'Linear weight std');
  init.kaimingNormal_(fc.weight);
  assert.equal(fc.weight.isLeaf, true);
  assert.equal(fc.weight.requiresGrad, true);
  conv.dispose();
  fc.dispose();
}));
