// `wildcat studio` as a command: usage errors, start-up lines (the URL; where it listens and
// what that means), a working API, and a clean stop on Ctrl-C (SIGINT).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wildcat, MAIN } from '../cli/run.js';
import { makeTinyRun } from './tinyRun.js';

let root: string;
let tiny: ReturnType<typeof makeTinyRun>;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'wildcat-studio-cli-'));
  tiny = makeTinyRun(root, { maps: 1 });
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts the studio, waits for its URL line, and returns it with the output so far and a stop function. */
async function startCli(args: string[]): Promise<{ url: string; out: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [MAIN, 'studio', '--run', tiny.run, '--port', '0', '--threads', '1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no URL after 30 s; stdout ${out}, stderr ${err}`)), 30_000);
    const check = () => {
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => rej(new Error(`exited ${code} before listening: ${err}`)));
  });
  return {
    url,
    out: () => out,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

test('usage: --help, a missing --run, --split without --data, a bad port', async () => {
  const [help, noRun, split, port, smooth] = await Promise.all([
    wildcat(['studio', '--help']),
    wildcat(['studio']),
    wildcat(['studio', '--run', tiny.run, '--split', 'val']),
    wildcat(['studio', '--run', tiny.run, '--port', '70000']),
    wildcat(['studio', '--run', tiny.run, '--smooth', 'blur']),
  ]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^wildcat studio --run RUN/);
  assert.match(help.stdout, /--max-upload-mb N +larger uploads are refused with 413 \(default 20\)/);
  assert.equal(noRun.code, 2);
  assert.match(noRun.stderr, /--run is required/);
  assert.equal(split.code, 2);
  assert.match(split.stderr, /--split needs --data voc:DIR/);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port must be <= 65535/);
  assert.equal(smooth.code, 2);
  assert.match(smooth.stderr, /--smooth/);
  const notRun = await wildcat(['studio', '--run', join(root, 'nope'), '--port', '0']);
  assert.equal(notRun.code, 1);
  assert.match(notRun.stderr, /nope: not a run folder/);
});

test('start on 127.0.0.1, answer, stop cleanly on SIGINT; another --host is announced with a warning', async () => {
  const local = await startCli(['--data', tiny.data, '--smooth', 'slic', '--threshold', '0.3']);
  assert.match(local.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(local.out(), /listening on 127\.0\.0\.1 only \(this machine\)/);
  assert.match(local.out(), /dataset voc:.*split test: 8 images predicted/);
  // predict's segmentation options set the studio's segmentation.
  assert.match(local.out(), /segmentation: scales 1, map-norm peak, prior weight, best checkpoint, smoothing slic; background: δ 0\.3\n/);
  const info = (await (await fetch(new URL('/api/info', local.url))).json()) as { dataset: { images: number } };
  assert.equal(info.dataset.images, 8);
  assert.equal(await local.stop(), 0);

  const wide = await startCli(['--host', '0.0.0.0']);
  assert.match(wide.out(), /warning: listening on 0\.0\.0\.0: anyone who can reach this machine on port \d+ can use the studio \(it has no authentication\)/);
  const port = new URL(wide.url).port;
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/info`)).status, 200);
  assert.equal(await wide.stop(), 0);
});
