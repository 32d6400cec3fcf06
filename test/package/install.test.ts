// The package as a user gets it: `npm pack` of this checkout, `npm install` of the tarball (and of
// nothing else by path or name: its dependencies come from npm's cache) into a fresh project, then
// what a user does with it: import, a tensor op and a pooling, TypeScript typings, `npx wildcat`.
// The addon is built twice here, on purpose: once by npm's install hook, once on first use (the
// path taken when a project does not let npm run the package's install script).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | Record<string, string>> };

interface Result { code: number | null; stdout: string; stderr: string }

/** Our variables, npm's from a parent `npm run` and the test runner's are not the user's: drop them. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(WILDCAT_|LIBTORCH$|NODE_TEST_CONTEXT$|npm_)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv(), timeoutMs = 300_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`${cmd} ${args.join(' ')}: ${error.killed ? 'timed out' : error.message}\n${stderr}`));
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

function ok(r: Result, what: string): void {
  assert.equal(r.code, 0, `${what} exited with ${r.code}\n${r.stderr}`);
}

let dir: string;
let app: string;
let installed: string;
let packed: string[];
const timings: string[] = [];

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const out = await fn();
  timings.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wildcat-package-'));
  // npm pack runs prepack (tsc; incremental, so quick after `make build`).
  const pack = await timed('npm pack', () => run('npm', ['pack', '--json', '--pack-destination', dir], ROOT));
  ok(pack, 'npm pack');
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  packed = info.files.map((f) => f.path).sort();
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'wildcat-user', private: true, type: 'module' }));
  const install = await timed('npm install', () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename)], app));
  ok(install, 'npm install of the tarball');
  installed = join(app, 'node_modules', PKG.name);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('the tarball holds only what runs: compiled sources, bin, native sources, README, licence', (t) => {
  t.diagnostic(`${packed.length} files; ${timings.join(', ')}`);
  const allowed = /^(dist\/src\/.+\.(js|d\.ts)|dist\/src\/studio\/assets\/studio\.css|bin\/wildcat\.js|native\/(binding\.gyp|[\w-]+\.(cjs|cc|h))|README\.md|LICENSE|package\.json)$/;
  assert.deepEqual(packed.filter((p) => !allowed.test(p)), []);
  assert.deepEqual(packed.filter((p) => /(^|\/)(test|tests|fixtures?|bench|scripts)(\/|$)|\.map$/.test(p)), []);
  for (const p of ['dist/src/studio/assets/studio.js', 'dist/src/studio/assets/studio.css', 'bin/wildcat.js', 'native/binding.gyp', 'native/build.cjs', 'native/libtorch.cjs', 'native/addon.cc', 'LICENSE', 'README.md']) assert.ok(packed.includes(p), p);
  for (const [subpath, target] of Object.entries(PKG.exports)) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) assert.ok(packed.includes(file.replace(/^\.\//, '')), `${subpath} → ${file}`);
  }
});

test('installed: built by npm or on first use; imports, computes and keeps its internals private', async (t) => {
  const build = join(installed, 'native', 'build');
  t.diagnostic(existsSync(join(build, 'Release', 'wildcat_native.node'))
    ? "npm ran the package's install hook: the addon was built at install time"
    : "npm did not run the package's install hook: the addon is built on first use");
  // The first-use path, as when npm skipped the hook: a missing prerequisite first, then the build.
  rmSync(build, { recursive: true, force: true });
  writeFileSync(join(app, 'use.mjs'), `
import { memory, tensor, tidy } from 'wildcat-ts';
import { wildcatPool } from 'wildcat-ts/wsl';
const out = tidy(() => {
  const x = tensor([[[[1, 2], [3, 4]]]]);
  return { sum: Array.from(x.add(x).toArray()), pooled: Array.from(wildcatPool(x, { kmax: 1, kmin: 1, alpha: 0.5 }).toArray()) };
});
let internal = 'importable';
try { await import('wildcat-ts/dist/src/wsl/wildcatPool.js'); } catch (e) { internal = e.code; }
console.log(JSON.stringify({ ...out, internal, tensors: memory().tensors }));
`);
  const missing = await run(process.execPath, ['use.mjs'], app, userEnv({ LIBTORCH: '/nonexistent/libtorch' }));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /the native addon is not built \(.*wildcat_native\.node is missing\) and building it failed\.\nwildcat-ts: cannot build the native addon:\n {2}- libtorch not found: LIBTORCH=\/nonexistent\/libtorch is not a libtorch folder/);
  assert.match(missing.stderr, /then run npm rebuild wildcat-ts \(or run the program again: wildcat-ts builds its addon on first use\)\./);
  assert.deepEqual(readdirSync(join(installed, 'native')).filter((e) => e === 'build' || e.startsWith('build-staging-')), [], 'nothing half-built is left');

  const used = await timed('first-use build + run', () => run(process.execPath, ['use.mjs'], app));
  ok(used, 'node use.mjs');
  assert.match(used.stderr, /^wildcat-ts: building the native addon against libtorch, once .*\nwildcat-ts: native addon built in \d+ s\n$/);
  assert.deepEqual(JSON.parse(used.stdout), { sum: [2, 4, 6, 8], pooled: [4.5], internal: 'ERR_PACKAGE_PATH_NOT_EXPORTED', tensors: 0 });
  assert.deepEqual(readdirSync(join(installed, 'native')).filter((e) => e.startsWith('build-staging-')), []);
  const again = await run(process.execPath, ['use.mjs'], app);
  ok(again, 'node use.mjs, built');
  assert.equal(again.stderr, '', 'built once: no build, no progress line');
  t.diagnostic(timings.join(', '));
});

test('an installed addon that does not load names the reason and the fix for an installed package', async () => {
  const bogus = join(dir, 'bogus.node');
  writeFileSync(bogus, 'not a shared object\n'.repeat(20));
  const r = await run(process.execPath, ['use.mjs'], app, userEnv({ WILDCAT_NATIVE: bogus }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot load the native addon .*bogus\.node: the loader refused it\. Rebuild it: sudo apt-get install libtorch-dev libopenblas0-pthread libgloo-dev, then `npm rebuild wildcat-ts` \(or `node .*\/node_modules\/wildcat-ts\/native\/build\.cjs` if your project/);
});

test('TypeScript (nodenext) gets the typings of the package and of its subpaths', async () => {
  writeFileSync(join(app, 'use.ts'), `
import { tensor, type Tensor } from 'wildcat-ts';
import { wildcatPool } from 'wildcat-ts/wsl';
import { averagePrecision } from 'wildcat-ts/eval';
const t: Tensor = wildcatPool(tensor([[[[1, 2], [3, 4]]]]), { kmax: 1 });
const ap: number = averagePrecision([1, 0], [1, -1]);
// @ts-expect-error: the internals are not part of the package's surface
import('wildcat-ts/dist/src/wsl/wildcatPool.js');
export { t, ap };
`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await timed('tsc on a user file', () => run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', 'use.ts'], app));
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('npx wildcat --help and npx wildcat data scenes work from the installed package; nothing is written into it', async () => {
  const before = readdirSync(installed).sort();
  const home = join(dir, 'home');
  const env = userEnv({ XDG_CACHE_HOME: join(home, '.cache') });
  const help = await run('npx', ['wildcat', '--help'], app, env);
  ok(help, 'npx wildcat --help');
  assert.match(help.stdout, /^wildcat — weakly supervised learning/);
  const scenes = await run('npx', ['wildcat', 'data', 'scenes', '--out', 'scenes', '--train', '3', '--val', '1', '--test', '2', '--size', '64'], app, env);
  ok(scenes, 'npx wildcat data scenes');
  assert.match(scenes.stdout, /VOC2007: 3 train, 1 val, 2 test scenes/);
  assert.equal(readdirSync(join(app, 'scenes', 'VOC2007', 'JPEGImages')).length, 6);
  assert.deepEqual(readdirSync(installed).sort(), before);
});
