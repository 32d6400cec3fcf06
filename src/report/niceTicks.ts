// Axis ticks at "nice" round values (1, 2, 2.5, 5 × 10^k) for the report's charts.

/**
 * About `count` evenly spaced round values covering [lo, hi], and the widened range they span.
 * @example niceTicks(0.03, 0.71, 5); // { ticks: [0, 0.2, 0.4, 0.6, 0.8], lo: 0, hi: 0.8, step: 0.2 }
 */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; lo: number; hi: number; step: number } {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new RangeError(`niceTicks: range must be finite, got [${lo}, ${hi}]`);
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { ticks, lo: ticks[0]!, hi: ticks[ticks.length - 1]!, step };
}
