// Audit of the generic op() door: calls every registered operator with empty, 0-dim,
// out-of-range and ordinary arguments, each operator in a watched child process, and lists the
// calls that kill the process (signal, abort) or hang instead of raising an error. This is how
// native/opSafety.cc's lists were found; after them, a run must report no crash.
//
//   npm run fuzz:ops                  (about 4 minutes on one core; prints one JSON line per crash)
//   node dist/test/fuzz/opAudit.js --from aten::_weight_norm
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { native } from '../../src/core/native.js';
import { op, rand, tensor, tidy, zeros, type Tensor } from '../../src/core/index.js';

/** One way to fill every argument of a schema: tensors, integers and floats alike. */
interface Variant {
  tensor: () => Tensor;
  int: number;
  float: number;
}

const VARIANTS: Variant[] = [
  { tensor: () => zeros([0]), int: 0, float: 0 },
  { tensor: () => zeros([0, 3]), int: 1, float: 1 },
  { tensor: () => zeros([0]).to('int64'), int: 0, float: 0 },
  { tensor: () => zeros([]), int: -1, float: -1 },
  { tensor: () => rand([2, 3]), int: 5, float: 0.5 },
  { tensor: () => zeros([3, 0, 2]), int: 2, float: 2 },
  { tensor: () => zeros([2, 3]).to('int64'), int: -3, float: 3 },
  { tensor: () => tensor([7, -9], { dtype: 'int64' }), int: 1, float: 1 },
  { tensor: () => rand([4]), int: 100, float: 100 },
  { tensor: () => rand([1, 2, 3, 4]), int: 3, float: 1e30 },
];

/** Splits a schema's argument list at top-level commas. */
function schemaArguments(schema: string): { type: string; name: string }[] {
  const m = /^[^(]*\((.*)\) ->/.exec(schema);
  if (!m) return [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of m[1]!) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts.filter((a) => a !== '*').map((a) => {
    const words = a.replace(/=.*$/, '').trim().split(/\s+/);
    return { type: words.slice(0, -1).join(' '), name: words[words.length - 1]! };
  });
}

function valueFor(type: string, v: Variant): unknown {
  const optional = type.endsWith('?');
  const base = type.replace(/\(.*?\)/, '').replace('?', '');
  if (base === 'Tensor') return v.tensor();
  if (base === 'Tensor[]') return [v.tensor(), v.tensor()];
  if (base === 'Tensor?[]') return [v.tensor(), null];
  if (/^(int|SymInt)$/.test(base)) return v.int;
  if (/^(int|SymInt)\[\d*\]$/.test(base)) return [v.int, v.int];
  if (base === 'float') return v.float;
  if (base === 'float[]') return [v.float];
  if (/^bool(\[\d*\])?$/.test(base)) return base === 'bool' ? false : [false, false, false];
  if (base === 'Scalar') return v.int;
  if (base === 'ScalarType') return optional ? null : 6;
  if (base === 'Device') return optional ? null : 'cpu';
  if (base === 'str') return 'mean';
  return optional ? null : undefined;
}

function allOps(): [string, string][] {
  return native.listOps().sort((a, b) => (a.join('.') < b.join('.') ? -1 : 1));
}

/** Child: walks the operators from (start, variant), announcing each call on stdout first. */
function child(start: number, startVariant: number): void {
  const ops = allOps();
  for (let k = start; k < ops.length; k++) {
    const [name, overload] = ops[k]!;
    let schema: string;
    try {
      schema = native.resolveOp(name, overload)[1];
    } catch {
      continue; // refused by the door (opSafety.cc) or not callable
    }
    const args = schemaArguments(schema);
    for (let v = k === start ? startVariant : 0; v < VARIANTS.length; v++) {
      writeSync(1, `call ${k} ${v} ${name}.${overload}\n`);
      try {
        tidy(() => {
          const out = op(name, overload)(...args.map((a) => valueFor(a.type, VARIANTS[v]!)));
          // Reading the result touches its memory: a view outside its storage shows up here.
          for (const t of Array.isArray(out) ? out : [out]) if (t && typeof t === 'object' && 'toArray' in t && (t as Tensor).size < 1e6) (t as Tensor).toArray();
        });
      } catch {
        // An error is the right outcome for most of these calls.
      }
    }
  }
  writeSync(1, 'done\n');
}

interface Crash { op: string; variant: number; signal: string | null; code: number | null; hang: boolean }

async function parent(from?: string): Promise<Crash[]> {
  const ops = allOps();
  let start = from ? Math.max(0, ops.findIndex(([n]) => n === from)) : 0;
  let startVariant = 0;
  const crashes: Crash[] = [];
  for (;;) {
    const r = await runChild(start, startVariant);
    if (r.done) return crashes;
    if (!r.last) throw new Error(`opAudit: the child died before its first call (exit ${r.code}, signal ${r.signal})`);
    const [, k, v, name] = r.last.split(' ');
    const crash: Crash = { op: name!, variant: Number(v), signal: r.signal, code: r.code, hang: r.hang };
    crashes.push(crash);
    console.log(JSON.stringify(crash));
    start = Number(k);
    startVariant = Number(v) + 1;
  }
}

function runChild(start: number, variant: number): Promise<{ done: boolean; last: string | null; code: number | null; signal: string | null; hang: boolean }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--max-old-space-size=1024', fileURLToPath(import.meta.url), '--child', String(start), String(variant)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last: string | null = null;
    let done = false;
    let hang = false;
    let buf = '';
    let timer: NodeJS.Timeout;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        hang = true;
        c.kill('SIGKILL');
      }, 10_000);
    };
    arm();
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'done') done = true;
        else last = line;
        arm();
      }
    });
    c.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ done, last, code, signal, hang });
    });
  });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') child(Number(argv[1]), Number(argv[2]));
else {
  const fromAt = argv.indexOf('--from');
  const crashes = await parent(fromAt >= 0 ? argv[fromAt + 1] : undefined);
  console.log(`${allOps().length} operators × ${VARIANTS.length} argument variants: ${crashes.length} crash(es)`);
  process.exitCode = crashes.length > 0 ? 1 : 0;
}
