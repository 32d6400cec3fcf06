// --memory-format reaches the networks a command builds; --threads N|auto; the busy-machine hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoMemoryFormat, getNumThreads, preferredMemoryFormat, readCpuTimes, setMemoryFormat, setNumThreads, setThreadAdaptation, threadAdaptationEnabled, tidy } from '../../src/core/index.js';
import { busyMachineHint, describeThreadChange, ENGINE_OPTIONS, engineFlags, memoryFormatFlag, parse, threadsFlag, UsageError } from '../../src/cli/args.js';
import { buildWildcatNet, type WildcatNetSpec } from '../../src/wsl/buildWildcatNet.js';
import { leakFree } from '../helpers/leak.js';

const SPEC: WildcatNetSpec = {
  backbone: { depth: 18, widthMultiplier: 0.125, outputStride: 16 },
  numClasses: 2, maps: 2, classWise: 'mean', pooling: { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7 }, architecture: 'maps',
};
const flags = (...argv: string[]) => parse(argv, { 'memory-format': { type: 'string' } }, 'usage');

test('--memory-format channels-last | contiguous | auto sets the layout of the networks built, auto as autoMemoryFormat says', () => {
  try {
    leakFree(() => {
      assert.equal(memoryFormatFlag(flags('--memory-format', 'channels-last')), 'channelsLast');
      assert.equal(preferredMemoryFormat(), 'channelsLast');
      const cl = buildWildcatNet(SPEC);
      assert.equal(cl.backbone.conv1.weight.isContiguous('channelsLast'), true);
      assert.equal(tidy(() => cl.classifier.parameters()[0]!.isContiguous('channelsLast')), true);
      cl.dispose();
      assert.equal(memoryFormatFlag(flags('--memory-format', 'contiguous')), 'contiguous');
      const plain = buildWildcatNet(SPEC);
      assert.equal(plain.backbone.conv1.weight.isContiguous(), true);
      plain.dispose();
      assert.equal(memoryFormatFlag(flags()), autoMemoryFormat().format); // auto is the default
      assert.throws(() => memoryFormatFlag(flags('--memory-format', 'nhwc')), (e: unknown) => e instanceof UsageError && /--memory-format/.test((e as Error).message) && /channels-last/.test((e as Error).message));
    });
  } finally {
    setMemoryFormat('contiguous');
  }
});

test('the busy-machine hint: one line when load + threads exceed the cores, none otherwise', () => {
  const hint = busyMachineHint(2, 3.04, 2);
  assert.match(hint ?? '', /load average 3\.0 on 2 cores.*2 threads.*--threads 1/);
  assert.equal(hint?.includes('\n'), false);
  assert.equal(busyMachineHint(2, 0.3, 2), null);
  assert.equal(busyMachineHint(1, 6, 2), null); // one thread waits for no other
  assert.equal(busyMachineHint(8, 1, 16), null);
  const adapting = busyMachineHint(2, 3.04, 2, true);
  assert.match(adapting ?? '', /load average 3\.0 on 2 cores.*starting with 2 threads, fewer while other processes keep cores busy/);
  assert.equal(adapting?.includes('--threads 1'), false);
});

test('--threads auto (the default) starts at the fallback and turns thread adaptation on; --threads N fixes the count', () => {
  const before = getNumThreads();
  const engine = (...argv: string[]) => parse(argv, ENGINE_OPTIONS, 'usage');
  const linux = readCpuTimes() !== null;
  try {
    assert.equal(threadsFlag(engine(), 3), 3);
    assert.equal(threadsFlag(engine('--threads', 'auto'), 3), 3);
    assert.equal(threadsFlag(engine('--threads', '2'), 3), 2);
    assert.equal(engineFlags(engine(), 2).adaptThreads, linux);
    assert.equal(threadAdaptationEnabled(), linux);
    assert.equal(engineFlags(engine('--threads', '2'), 2).adaptThreads, false);
    assert.equal(threadAdaptationEnabled(), false);
    assert.equal(engineFlags(engine('--threads', 'auto'), 2).adaptThreads, linux);
    for (const [bad, message] of [['0', /^--threads must be >= 1/], ['1.5', /^--threads expects an integer/], ['two', /^--threads expects a thread count or auto, got 'two'/], ['', /or auto/]] as const) {
      assert.throws(() => threadsFlag(engine('--threads', bad)), (e: unknown) => e instanceof UsageError && message.test((e as Error).message), bad);
    }
    assert.equal(describeThreadChange({ from: 2, to: 1, othersCores: 0.68, cores: 2 }), 'threads: 2 → 1 (other processes kept 0.7 of 2 cores busy; --threads N fixes the count)');
  } finally {
    setThreadAdaptation(false);
    setMemoryFormat('contiguous');
    setNumThreads(before);
  }
});
