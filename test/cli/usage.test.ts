import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wildcat } from './run.js';

let dir: string;
let env: Record<string, string>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wildcat-cli-'));
  env = { WILDCAT_CACHE: join(dir, 'cache') };
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => wildcat(args, { cwd: dir, env });

test('no arguments: usage on stdout, exit 2; --help / help: exit 0', async () => {
  const [none, help, word] = await Promise.all([run([]), run(['--help']), run(['help'])]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /^wildcat — weakly supervised/);
  for (const c of ['data scenes', 'pretrain', 'train', 'eval', 'predict', 'ablate', 'demo']) assert.ok(none.stdout.includes(`wildcat ${c}`), c);
  assert.equal(help.code, 0);
  assert.equal(help.stdout, none.stdout);
  assert.equal(word.code, 0);
});

test('an unknown command: exit 2, the message names it', async () => {
  const r = await run(['trian', '--data', 'x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'trian'/);
  assert.equal(r.stdout, '');
});

test('--help of a command exits 0 with its usage on stdout', async () => {
  // In-process checks of every command's --help are in args.test.ts; these go through main.
  const [data, train] = await Promise.all([run(['data', '--help']), run(['train', '--help'])]);
  for (const [name, r] of [['data', data], ['train', train]] as const) {
    assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^wildcat ${name}\\b`));
    assert.equal(r.stderr, '');
  }
  assert.match(train.stdout, /--backbone-weights/);
});

test('usage errors exit 2 and name the flag, without a stack trace', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['train'], /^wildcat train: --data is required/],
    [['train', '--data', 'voc:scenes', '--out', 'r', '--epochs', 'x'], /^wildcat train: --epochs expects a number, got 'x'/],
    [['data'], /^wildcat data: missing data command \(scenes\)/],
    [['data', 'scenes', '--out', 'r', '--style', 'plaid'], /^wildcat data: --style must be one of classic, held-out, pretrain; got 'plaid'/],
    [['pretrain', '--out', 'r', '--canvas', 'plaid'], /^wildcat pretrain: --canvas must be one of diverse, classic; got 'plaid'/],
  ];
  const results = await Promise.all(cases.map(([args]) => run(args)));
  results.forEach((r, i) => {
    const [args, pattern] = cases[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
  });
  assert.equal(existsSync(join(dir, 'r')), false, 'nothing written');
});

test('runtime errors exit 1 with a message naming the thing, before any slow work', async () => {
  const [noData, notRun, noResume, badWeights] = await Promise.all([
    // The default --backbone-weights auto would pre-train for minutes first: the data is checked before.
    run(['train', '--data', 'voc:/nonexistent/scenes', '--out', 'r1']),
    run(['eval', '--run', 'not-a-run', '--data', 'voc:x', '--split', 'test']),
    run(['train', '--out', 'empty', '--resume']),
    run(['train', '--data', 'csv:/nonexistent/list.csv', '--out', 'r2', '--backbone-weights', 'none']),
  ]);
  assert.equal(noData.code, 1, noData.stderr);
  assert.match(noData.stderr, /^wildcat train: error: .*\/nonexistent\/scenes/);
  assert.ok(!existsSync(join(dir, 'cache', 'pretrained')), 'no pre-training started');
  assert.equal(notRun.code, 1);
  assert.match(notRun.stderr, /not-a-run: not a run folder/);
  assert.equal(noResume.code, 1);
  assert.match(noResume.stderr, /empty: nothing to resume/);
  assert.equal(badWeights.code, 1);
  assert.match(badWeights.stderr, /\/nonexistent\/list\.csv/);
  for (const r of [noData, notRun, noResume, badWeights]) assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
  assert.deepEqual(readdirSync(dir).sort(), ['cache'].filter((f) => existsSync(join(dir, f))), 'no run folder created');
});
