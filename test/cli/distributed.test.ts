// The command line across processes: two "nodes" on localhost meeting through rank 0's TCPStore
// train one run; a run resumes only with the world size it was trained with; a launcher killed
// with SIGKILL takes its workers with it, and the run they saved resumes to the same weights as
// the uninterrupted one; sharded and merged
// predictions (CSVs, segmentation masks, classes.txt) are the unsharded ones byte for byte.
import { spawn } from 'node:child_process';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/cli/launch.js';
import { RunLog } from '../../src/train/runLog.js';
import { RUN_FILES } from '../../src/train/wslTrainer.js';
import { differingTensors, writeTinyScenes } from '../train/fixtures.js';
import { MAIN, wildcat } from './run.js';

let dir: string;
let data: string;
const run = (args: string[]) => wildcat(args, { cwd: dir, timeoutMs: 90_000, env: { WILDCAT_CACHE: join(dir, 'cache') } });
/** The training of every run here (3 epochs of 2 steps per rank at world size 2). */
const TRAIN = ['--data', '', '--backbone-weights', 'none', '--epochs', '3', '--image-size', '64', '--width', '0.125', '--batch-size', '4', '--dist-timeout', '60'];
const train = (out: string, extra: string[]) => ['train', ...TRAIN.map((a) => (a === '' ? data : a)), '--out', out, ...extra];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wildcat-dist-cli-'));
  data = await writeTinyScenes(join(dir, 'scenes'), { train: 16, val: 8, test: 40 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root` (relative paths, sorted). */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(root, f)).isFile()).sort();
}

test('two nodes on localhost train one run through a TCPStore; resuming needs the same world size', async () => {
  const port = String(await freePort());
  const common = train('run', ['--nnodes', '2', '--nproc', '1', '--master-addr', '127.0.0.1', '--master-port', port]);
  const [node0, node1] = await Promise.all([run([...common, '--node-rank', '0']), run([...common, '--node-rank', '1'])]);
  assert.equal(node0.code, 0, node0.stderr);
  assert.equal(node1.code, 0, node1.stderr);
  assert.match(node0.stdout, /^best val mAP \d+\.\d\d \(epoch \d\), last \d+\.\d\d; .* run in run\n$/);
  assert.equal(node1.stdout, '', 'rank 1 prints nothing');
  assert.match(node0.stderr, /epoch 3\/3 +loss/);
  assert.doesNotMatch(node1.stderr, /epoch/);
  const config = JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8'));
  assert.equal(config.worldSize, 2);
  assert.ok(existsSync(join(dir, 'run', 'summary.json')));

  const three = await run(['train', '--resume', '--out', 'run', '--nproc', '3']);
  assert.equal(three.code, 2);
  assert.match(three.stderr, /run was trained by 2 processes; resume it with the same number \(here 3\)/);
  // A finished run resumes to nothing, whatever the world size: it says so and changes nothing.
  const one = await run(['train', '--resume', '--out', 'run', '--threads', '1']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stderr, /run is finished \(3 epochs, .*nothing to resume, nothing changed/);
  // The same with the world size it was trained with: every worker takes rank 0's answer.
  const summary = readFileSync(join(dir, 'run', 'summary.json'));
  const two = await run(['train', '--resume', '--out', 'run', '--nproc', '2', '--master-port', String(await freePort()), '--dist-timeout', '60']);
  assert.equal(two.code, 0, two.stderr);
  assert.match(two.stderr, /run is finished \(3 epochs, .*nothing to resume, nothing changed/);
  assert.deepEqual(readFileSync(join(dir, 'run', 'summary.json')), summary);
});

/** The processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch { /* ended meanwhile */ }
  }
  return out;
}

/** Whether process `pid` has ended (gone, or a zombie nobody reaped yet). */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

test('a launcher killed with SIGKILL takes its workers with it; the run they saved resumes to the uninterrupted weights', async () => {
  const launcher = spawn(process.execPath, [MAIN, ...train('killed', ['--nproc', '2'])], {
    cwd: dir, env: { ...process.env, WILDCAT_DEBUG: '', WILDCAT_CACHE: join(dir, 'cache') }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  // Killed once epoch 1 is logged: two epochs (4 steps) remain, so it lands mid-run.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no epoch 1 after 60 s:\n${stderr}`)), 60_000);
    launcher.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/epoch 1\/3 +loss/.test(stderr)) { clearTimeout(timer); resolve(); }
    });
    launcher.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the launcher ended (${code}) before epoch 1:\n${stderr}`)); });
  });
  const workers = childrenOf(launcher.pid!);
  assert.equal(workers.length, 2, 'two workers');
  launcher.kill('SIGKILL');
  const deadline = Date.now() + 60_000;
  while (!workers.every(ended) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(workers.every(ended), `workers still running 60 s after their launcher was killed:\n${stderr}`);
  if (!launcher.stderr!.readableEnded) await new Promise((resolve) => launcher.stderr!.once('end', resolve)); // their last words
  // The workers took the path of a forwarded SIGTERM: the run was saved after a step of epoch 2 or 3.
  const events = RunLog.read(join(dir, 'killed', RUN_FILES.log));
  assert.ok(events.some((e) => e.event === 'interrupted'), `an 'interrupted' entry in the log:\n${stderr}`);
  assert.ok(!existsSync(join(dir, 'killed', RUN_FILES.summary)), 'not finished');
  const resumed = await run(['train', '--resume', '--out', 'killed', '--nproc', '2', '--dist-timeout', '60']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming killed at epoch [23], batch \d/);
  assert.deepEqual(differingTensors(join(dir, 'run', RUN_FILES.last), join(dir, 'killed', RUN_FILES.last)), []);
  assert.deepEqual(differingTensors(join(dir, 'run', RUN_FILES.best), join(dir, 'killed', RUN_FILES.best)), []);
});

test('predict --shard i/n then --merge, and predict --nproc, give the unsharded folder byte for byte, masks included', async () => {
  const predict = (extra: string[]) => run(['predict', '--run', 'run', '--data', data, '--split', 'test', '--threads', '1', ...extra]);
  const whole = await predict(['--out', 'whole']);
  assert.equal(whole.code, 0, whole.stderr);
  for (let i = 0; i < 3; i++) {
    const r = await predict(['--shard', `${i}/3`, '--out', `part${i}`]);
    assert.equal(r.code, 0, r.stderr);
  }
  const merged = await run(['predict', '--merge', 'part2', 'part0', 'part1', '--out', 'merged']);
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /^3 shards, 40 images → merged/);
  const nproc = await predict(['--nproc', '2', '--out', 'nproc']);
  assert.equal(nproc.code, 0, nproc.stderr);
  assert.ok(!existsSync(join(dir, 'nproc', '.shards')), 'the shard folders are removed');
  const expected = filesUnder(join(dir, 'whole'));
  const masks = expected.filter((f) => /^segmentation[/\\].+\.png$/.test(f));
  assert.equal(masks.length, 40, 'one mask per test image');
  assert.ok(expected.includes(join('segmentation', 'classes.txt')));
  for (const got of ['merged', 'nproc']) {
    assert.deepEqual(filesUnder(join(dir, got)), expected, `${got}: the same files`);
    for (const f of expected) assert.ok(readFileSync(join(dir, got, f)).equals(readFileSync(join(dir, 'whole', f))), `${got}/${f}`);
  }
  const missing = await run(['predict', '--merge', 'part0', 'part2', '--out', 'bad']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /shard 1\/3 missing: merge all 3 shards/);
  const notShard = await run(['predict', '--merge', 'part0', 'whole', '--out', 'bad']);
  assert.match(notShard.stderr, /whole is not a prediction shard \(no shard\.json\)/);
  const badSpec = await predict(['--shard', '3/3', '--out', 'bad']);
  assert.equal(badSpec.code, 2);
  assert.match(badSpec.stderr, /--shard expects i\/n with 0 <= i < n/);
});
