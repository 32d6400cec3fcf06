// CPU counters of a machine where other processes keep `others` of `cores` cores busy between any
// two readings: what thread adaptation would read beside a busy process, without one.
import type { CpuTimes } from '../../src/core/index.js';

export function busyMachineTimes(others: number, cores = 2): () => CpuTimes {
  const t: CpuTimes = { busy: 0, total: 0, self: 0, cores };
  return () => {
    const ticks = 100 * cores;
    t.total += ticks;
    t.self += (ticks * (cores - others)) / cores;
    t.busy += ticks;
    return { ...t };
  };
}
