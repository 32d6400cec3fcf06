// native/build.cjs checks every prerequisite before compiling and says what is missing and the fix
// in one message; it never touches the built addon when it cannot build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NATIVE = fileURLToPath(new URL('../../../native/', import.meta.url));
const BUILD = `${NATIVE}build.cjs`;
const ADDON = `${NATIVE}build/Release/wildcat_native.node`;

function build(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BUILD, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

test('missing prerequisites: exit 1, one message naming each and the fix; the built addon is untouched', async () => {
  const before = statSync(ADDON).mtimeMs;
  const r = await build([], { LIBTORCH: '/nonexistent/libtorch', CXX: '/nonexistent/c++', PYTHON: '/nonexistent/python3' });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines[0], 'wildcat-ts: cannot build the native addon:');
  assert.match(lines[1]!, /^ {2}- no C\+\+ compiler \(`\/nonexistent\/c\+\+ --version` failed\)$/);
  assert.match(lines[2]!, /^ {2}- no Python \(`\/nonexistent\/python3 --version` failed/);
  assert.match(lines[3]!, /^ {2}- libtorch not found: LIBTORCH=\/nonexistent\/libtorch is not a libtorch folder: \/nonexistent\/libtorch\/lib\/libtorch\.so and .* are missing$/);
  assert.equal(lines[4], 'Fix: sudo apt-get install g++ python3');
  assert.match(lines[5]!, /^ {2}and point LIBTORCH at an unpacked libtorch .* or unset it to use the system's \(sudo apt-get install libtorch-dev libopenblas0-pthread libgloo-dev\)$/);
  assert.equal(lines[6], 'then run make native.', 'a clone is rebuilt with make');
  assert.equal(lines.length, 7);
  assert.equal(statSync(ADDON).mtimeMs, before);
  assert.deepEqual(readdirSync(NATIVE).filter((e) => e.startsWith('build-staging-')), []);
});

test('--install in a clone does nothing (make builds there, after installing the Debian packages)', async () => {
  const before = statSync(ADDON).mtimeMs;
  const r = await build(['--install'], { LIBTORCH: '/nonexistent/libtorch' });
  assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
  assert.equal(statSync(ADDON).mtimeMs, before);
});

test('an unknown argument is a usage error', async () => {
  const r = await build(['--release'], {});
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^usage: node native\/build\.cjs \[--install \| --first-use\] \(got --release\)/);
  assert.ok(existsSync(ADDON));
});
