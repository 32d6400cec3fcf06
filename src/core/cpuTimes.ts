// CPU time of the whole machine and of this process, from Linux's /proc: what the thread
// adaptation (threadAdaptation.ts) measures to tell how many cores other processes are using.
import { readFileSync } from 'node:fs';

/**
 * Cumulative CPU time in clock ticks (USER_HZ, the same unit in both files) since boot, summed over
 * every core: `busy` and `total` for the machine, `self` for this process (all its threads).
 */
export interface CpuTimes {
  /** Ticks the machine's cores spent running anything (user, nice, system, irq, softirq, steal). */
  busy: number;
  /** busy + idle + iowait. */
  total: number;
  /** Ticks this process's threads ran (user + system). */
  self: number;
  /** Cores the machine has (the `cpuN` lines). */
  cores: number;
}

/**
 * The machine-wide counters of /proc/stat: the aggregate `cpu` line (user nice system idle iowait
 * irq softirq steal …; guest time is already inside user) and the number of `cpuN` lines. Null
 * when the text is not in that format (another kernel, a truncated read).
 */
export function parseProcStat(text: string): { busy: number; total: number; cores: number } | null {
  const lines = text.split('\n');
  const aggregate = lines.find((l) => /^cpu\s/.test(l));
  if (aggregate === undefined) return null;
  const fields = aggregate.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((f) => !Number.isSafeInteger(f) || f < 0)) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  const cores = lines.filter((l) => /^cpu\d+\s/.test(l)).length;
  if (cores === 0) return null;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, cores };
}

/**
 * This process's user + system ticks from /proc/self/stat (fields 14 and 15). The command name
 * (field 2) is in parentheses and may itself contain spaces and parentheses, so the fields are
 * counted after the last ')'. Null when the text is not in that format.
 */
export function parseSelfStat(text: string): number | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isSafeInteger(utime) || !Number.isSafeInteger(stime) || utime < 0 || stime < 0) return null;
  return utime + stime;
}

/** Reads both files now; null where /proc is missing or unreadable (not Linux, a sandbox). */
export function readCpuTimes(): CpuTimes | null {
  let machine: ReturnType<typeof parseProcStat>;
  let self: number | null;
  try {
    machine = parseProcStat(readFileSync('/proc/stat', 'latin1'));
    self = parseSelfStat(readFileSync('/proc/self/stat', 'latin1'));
  } catch {
    return null;
  }
  if (machine === null || self === null) return null;
  return { ...machine, self };
}

/**
 * Cores that other processes kept busy between two readings: the machine's busy ticks minus this
 * process's, as a share of all ticks, times the cores. Time stolen by the hypervisor counts as
 * busy (those cores were not ours to use). Null when no tick elapsed or the counters went back.
 */
export function othersCores(before: CpuTimes, after: CpuTimes): number | null {
  const total = after.total - before.total;
  const busy = after.busy - before.busy;
  const self = after.self - before.self;
  if (total <= 0 || busy < 0 || self < 0 || after.cores !== before.cores) return null;
  return Math.min(after.cores, Math.max(0, ((busy - self) / total) * after.cores));
}
