// The long fuzzing run: `npm run fuzz` (1,000 mutants per parser plus the crafted cases, under
// `cpu 1` on a shared machine). Flags: --mutants N, --seed S, --workers W, --only a,b, --json FILE.
// Prints one line per failing case and a summary per target; exits 1 on any failure.
import { writeFileSync } from 'node:fs';
import { fuzzCases, runFuzz, type FuzzResult } from './harness.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const mutants = Number(flag('mutants', '1000'));
const seed = Number(flag('seed', '1'));
const only = flag('only', '') ? flag('only', '').split(',') : undefined;
const cases = await fuzzCases(mutants, seed, only);
const started = Date.now();
let done = 0;
const results = await runFuzz(cases, {
  workers: Number(flag('workers', '1')),
  onResult: (r) => {
    done++;
    if (r.failure) console.log(`FAIL ${JSON.stringify(r.case)}: ${r.failure}`);
    if (done % 500 === 0) process.stderr.write(`${done}/${cases.length} cases, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  },
});
const byTarget = new Map<string, FuzzResult[]>();
for (const r of results) byTarget.set(r.case.target, [...(byTarget.get(r.case.target) ?? []), r]);
console.log('target        cases   ok  refused  failed  slowest(ms)  largest input');
for (const [t, rs] of byTarget) {
  const count = (o: string): number => rs.filter((r) => r.outcome === o).length;
  console.log(`${t.padEnd(12)} ${String(rs.length).padStart(6)} ${String(count('ok')).padStart(4)} ${String(count('error')).padStart(8)} ${String(rs.filter((r) => r.failure).length).padStart(7)} ${String(Math.max(...rs.map((r) => r.ms))).padStart(12)}  ${Math.max(...rs.map((r) => r.bytes ?? 0))} B`);
}
const failures = results.filter((r) => r.failure);
console.log(`${results.length} cases (seed ${seed}, ${mutants} mutants per target + ${results.filter((r) => r.case.kind === 'crafted').length} crafted) in ${((Date.now() - started) / 1000).toFixed(0)} s: ${failures.length} failure(s)`);
const json = flag('json', '');
if (json) writeFileSync(json, JSON.stringify(results, null, 1));
process.exitCode = failures.length > 0 ? 1 : 0;
