// Thread adaptation: the CPU counters it reads, the decision rule, and the whole loop against a
// real competing process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import {
  adaptedThreadCount, adaptThreads, getNumThreads, othersCores, parseProcStat, parseSelfStat, readCpuTimes, setNumThreads, setThreadAdaptation,
  threadAdaptationEnabled, type CpuTimes, type ThreadChange,
} from '../../src/core/index.js';

const PROC_STAT = `cpu  2818506 1185225 413474 1063543 2940 0 1963 4104 0 0
cpu0 1215032 701951 174077 649984 679 0 391 2046 0 0
cpu1 1603474 483274 239396 413559 2261 0 1571 2057 0 0
intr 123 4 5
ctxt 99
procs_running 3
`;

test('parseProcStat: busy and total ticks of the aggregate line, cores from the cpuN lines', () => {
  const busy = 2818506 + 1185225 + 413474 + 0 + 1963 + 4104; // user nice system irq softirq steal
  assert.deepEqual(parseProcStat(PROC_STAT), { busy, total: busy + 1063543 + 2940, cores: 2 });
  // Older kernels print fewer columns after steal; eight are enough.
  assert.deepEqual(parseProcStat('cpu 1 2 3 4 5 6 7 8\ncpu0 1 2 3 4 5 6 7 8\n'), { busy: 1 + 2 + 3 + 6 + 7 + 8, total: 36, cores: 1 });
});

test('parseProcStat: text in another format gives null, not a wrong figure', () => {
  for (const bad of [
    '',
    'intr 1 2 3\n',
    'cpu 1 2 3\ncpu0 1 2 3\n', // too few columns
    'cpu 1 2 x 4 5 6 7 8\ncpu0 1 2 3 4 5 6 7 8\n', // not a number
    'cpu 1 2 -3 4 5 6 7 8\ncpu0 1 2 3 4 5 6 7 8\n', // negative
    'cpu 1 2 3 4 5 6 7 1e400\ncpu0 1 2 3 4 5 6 7 8\n', // not finite
    'cpu 1 2 3 4 5 6 7 8\n', // no per-core line
    'cpu0 1 2 3 4 5 6 7 8\n', // no aggregate line
    '\u0000\u0001garbage',
  ]) assert.equal(parseProcStat(bad), null, JSON.stringify(bad));
});

test('parseSelfStat: utime + stime, counted after the last parenthesis of the command name', () => {
  const fields = (comm: string) => `4242 (${comm}) R 1 2 3 0 -1 4194304 122 0 0 0 37 5 0 0 20 0 1 0 2751593 3133440 414`;
  assert.equal(parseSelfStat(fields('node')), 42);
  // A command name may hold spaces and parentheses (prctl lets a process name itself so).
  assert.equal(parseSelfStat(fields('a) (b 1 2 3')), 42);
  for (const bad of ['', '4242 node R 1 2', '4242 (node) R 1 2 3', fields('node').replace(' 37 ', ' x ')]) {
    assert.equal(parseSelfStat(bad), null, JSON.stringify(bad));
  }
});

test('readCpuTimes reads this machine: counters that only grow, this process below the machine', () => {
  const a = readCpuTimes();
  if (a === null) return; // not Linux: nothing to read, adaptation stays off (tested below)
  let x = 0;
  for (let i = 0; i < 3e7; i++) x += i % 7; // a little CPU time of our own
  const b = readCpuTimes()!;
  assert.ok(x > 0);
  assert.ok(a.cores >= 1 && b.cores === a.cores);
  assert.ok(b.total >= a.total && b.busy >= a.busy && b.self >= a.self);
  assert.ok(b.self <= b.busy);
  const others = othersCores(a, b);
  assert.ok(others === null || (others >= 0 && others <= a.cores));
});

test('othersCores: the machine busy minus our share, in cores; null when no tick passed or counters went back', () => {
  const t = (busy: number, total: number, self: number, cores = 2): CpuTimes => ({ busy, total, self, cores });
  // 200 ticks passed on 2 cores; the machine was busy 180 of them, we 120: others kept 0.6 of a core.
  assert.ok(Math.abs(othersCores(t(0, 0, 0), t(180, 200, 120))! - 0.6) < 1e-12);
  assert.equal(othersCores(t(0, 0, 0), t(100, 200, 100)), 0);
  assert.equal(othersCores(t(0, 0, 0), t(100, 200, 150)), 0); // rounding of the two files: never below 0
  assert.equal(othersCores(t(5, 5, 5), t(5, 5, 5)), null);
  assert.equal(othersCores(t(10, 10, 10), t(5, 20, 12)), null);
  assert.equal(othersCores(t(0, 0, 0), t(10, 20, 5, 4)), null); // cores changed
});

test('adaptedThreadCount: fewer threads when others take a core, back when it is free again, never above the ceiling', () => {
  // Two cores, two threads.
  assert.equal(adaptedThreadCount(2, 2, 0.05, 2), 2); // quiet
  assert.equal(adaptedThreadCount(2, 2, 0.3, 2), 2); // a little background work
  assert.equal(adaptedThreadCount(2, 2, 0.67, 2), 1); // one busy process: its share of the two cores
  assert.equal(adaptedThreadCount(1, 2, 1.0, 2), 1); // still there: it keeps its core
  assert.equal(adaptedThreadCount(1, 2, 0.5, 2), 1); // half gone: not yet (hysteresis)
  assert.equal(adaptedThreadCount(1, 2, 0.1, 2), 2); // gone
  assert.equal(adaptedThreadCount(1, 1, 0, 2), 1); // the ceiling holds
  // Sixteen cores: as many threads as free cores.
  assert.equal(adaptedThreadCount(16, 16, 4.2, 16), 12);
  assert.equal(adaptedThreadCount(12, 16, 0.2, 16), 16);
  assert.equal(adaptedThreadCount(12, 16, 2.1, 16), 14);
  assert.equal(adaptedThreadCount(4, 8, 16, 16), 1); // nothing free: one thread, never zero
  assert.equal(adaptedThreadCount(8, 8, 0, 2), 2); // more threads than cores on a quiet machine
});

/** A fake machine: counters advanced by `tick(othersCores)`, one window per tick. */
function fakeMachine(cores: number) {
  const t: CpuTimes = { busy: 0, total: 0, self: 0, cores };
  let clock = 0;
  return {
    readTimes: () => ({ ...t }),
    now: () => clock,
    tick(others: number, ms = 1000) {
      const total = cores * ms;
      t.total += total;
      t.self += (cores - others) * ms * 0.98;
      t.busy += (cores - others) * ms * 0.98 + others * ms;
      clock += ms;
    },
  };
}

test('setThreadAdaptation: lowers and restores the count when two windows in a row ask for it, and says so', () => {
  const before = getNumThreads();
  const changes: ThreadChange[] = [];
  const m = fakeMachine(2);
  const windows = (others: number, n: number): (ThreadChange | null)[] => Array.from({ length: n }, () => (m.tick(others), adaptThreads()));
  try {
    setNumThreads(2);
    assert.equal(setThreadAdaptation(true, { readTimes: m.readTimes, now: m.now, windowMs: 1000, onChange: (c) => changes.push(c) }), true);
    assert.equal(threadAdaptationEnabled(), true);
    m.tick(0.7, 500);
    assert.equal(adaptThreads(), null); // half a window: no measurement yet
    m.tick(0.7, 500);
    assert.equal(adaptThreads(), null); // one window asks for fewer threads: not yet
    assert.equal(getNumThreads(), 2);
    // A burst of one window, then quiet: nothing changes.
    assert.deepEqual(windows(0, 1), [null]);
    assert.deepEqual(windows(0.8, 1), [null]);
    assert.deepEqual(windows(0.1, 1), [null]);
    assert.equal(getNumThreads(), 2);
    const [first, down] = windows(0.7, 2);
    assert.equal(first, null);
    assert.deepEqual(down && { from: down.from, to: down.to, cores: down.cores }, { from: 2, to: 1, cores: 2 });
    assert.ok(Math.abs(down!.othersCores - 0.7) < 1e-9);
    assert.equal(getNumThreads(), 1);
    assert.deepEqual(windows(1, 3), [null, null, null]); // the other process still there
    assert.deepEqual(windows(0, 2).map((c) => c?.to ?? null), [null, 2]);
    assert.equal(getNumThreads(), 2);
    assert.deepEqual(changes.map((c) => [c.from, c.to]), [[2, 1], [1, 2]]);
    // setNumThreads sets the ceiling: one thread stays one thread on a quiet machine.
    setNumThreads(1);
    assert.deepEqual(windows(0, 3), [null, null, null]);
    assert.equal(getNumThreads(), 1);
    // Turning it off restores the count asked for.
    setNumThreads(2);
    assert.deepEqual(windows(0.9, 2).map((c) => c?.to ?? null), [null, 1]);
    setThreadAdaptation(false);
    assert.equal(threadAdaptationEnabled(), false);
    assert.equal(getNumThreads(), 2);
    assert.deepEqual(windows(0.9, 2), [null, null]);
  } finally {
    setThreadAdaptation(false);
    setNumThreads(before);
  }
});

test('setThreadAdaptation: unreadable counters (not Linux) leave it off and the count alone', () => {
  const before = getNumThreads();
  try {
    assert.equal(setThreadAdaptation(true, { readTimes: () => null }), false);
    assert.equal(threadAdaptationEnabled(), false);
    assert.equal(adaptThreads(), null);
    assert.equal(getNumThreads(), before);
  } finally {
    setThreadAdaptation(false);
  }
});

test('with busy processes on every other core, a real adaptation drops to one thread and comes back when they stop', async (t) => {
  const cores = cpus().length;
  if (cores < 2 || readCpuTimes() === null) return t.skip('needs two cores and /proc');
  // The busy processes inherit our CPU affinity: pinned to fewer than cores − 1 cores, they could
  // not keep cores − 1 of them busy.
  if (availableParallelism() < cores - 1) return t.skip(`this process may use ${availableParallelism()} of the ${cores} cores`);
  const before = getNumThreads();
  const busy: ChildProcess[] = [];
  const window = async () => {
    await new Promise((r) => setTimeout(r, 350));
    return adaptThreads();
  };
  try {
    setNumThreads(2);
    assert.equal(setThreadAdaptation(true, { windowMs: 300 }), true);
    for (let i = 0; i < cores - 1; i++) busy.push(spawn('yes', [], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 200));
    adaptThreads(); // the window that saw them start may or may not decide yet
    let down: ThreadChange | null = getNumThreads() === 1 ? { from: 2, to: 1, othersCores: NaN, cores } : null;
    for (let i = 0; i < 6 && down === null; i++) down = await window();
    assert.equal(down?.to, 1, `others kept ${down?.othersCores} of ${cores} cores busy`);
    assert.equal(getNumThreads(), 1);
    for (const b of busy) b.kill('SIGKILL');
    let up: ThreadChange | null = null;
    for (let i = 0; i < 6 && up === null; i++) up = await window();
    assert.equal(up?.to, 2, `others kept ${up?.othersCores} of ${cores} cores busy after the busy processes stopped`);
  } finally {
    for (const b of busy) b.kill('SIGKILL');
    setThreadAdaptation(false);
    setNumThreads(before);
  }
});
