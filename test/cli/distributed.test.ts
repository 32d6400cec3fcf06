// The command line across processes: two "nodes" on localhost meeting through rank 0's TCPStore
// train one run; a run resumes only with the world size it was trained with; sharded and merged
// predictions are the unsharded ones byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/cli/launch.js';
import { writeTinyScenes } from '../train/fixtures.js';
import { wildcat } from './run.js';

let dir: string;
let data: string;
const run = (args: string[]) => wildcat(args, { cwd: dir, timeoutMs: 90_000, env: { WILDCAT_CACHE: join(dir, 'cache') } });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wildcat-dist-cli-'));
  data = await writeTinyScenes(join(dir, 'scenes'), { train: 16, val: 8, test: 40 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('two nodes on localhost train one run through a TCPStore; resuming needs the same world size', async () => {
  const port = String(await freePort());
  const common = ['train', '--data', data, '--out', 'run', '--backbone-weights', 'none', '--epochs', '2', '--image-size', '64', '--width', '0.125',
    '--batch-size', '4', '--nnodes', '2', '--nproc', '1', '--master-addr', '127.0.0.1', '--master-port', port, '--dist-timeout', '60'];
  const [node0, node1] = await Promise.all([run([...common, '--node-rank', '0']), run([...common, '--node-rank', '1'])]);
  assert.equal(node0.code, 0, node0.stderr);
  assert.equal(node1.code, 0, node1.stderr);
  assert.match(node0.stdout, /^best val mAP \d+\.\d\d \(epoch \d\), last \d+\.\d\d; .* run in run\n$/);
  assert.equal(node1.stdout, '', 'rank 1 prints nothing');
  assert.match(node0.stderr, /epoch 2\/2 +loss/);
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
  assert.match(one.stderr, /run is finished \(2 epochs, .*nothing to resume, nothing changed/);
});

test('predict --shard i/n then --merge, and predict --nproc, give the unsharded CSVs byte for byte', async () => {
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
  for (const f of ['classification.csv', 'localization.csv']) {
    const expected = readFileSync(join(dir, 'whole', f));
    assert.ok(readFileSync(join(dir, 'merged', f)).equals(expected), `merged ${f}`);
    assert.ok(readFileSync(join(dir, 'nproc', f)).equals(expected), `--nproc ${f}`);
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
