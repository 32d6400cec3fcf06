#!/usr/bin/env node
'use strict';
// Builds native/build/Release/wildcat_native.node: node-gyp against libtorch (found by libtorch.cjs)
// and the running Node's own headers (--nodedir: node-gyp would otherwise download them). The one
// build behind every entry point:
//   node native/build.cjs               make native, npm run build:native
//   node native/build.cjs --install     npm's install hook; does nothing in a source checkout, where
//                                       make builds after installing the Debian packages
//   node native/build.cjs --first-use   src/core/native.ts, when an installed package has no addon
//                                       (npm did not run the install hook); quiet unless it fails
// Before compiling it checks every prerequisite and, when one is missing, prints one message that
// names what is missing and the fix, and exits 1. The compiler works in a staging copy of native/
// and the finished, loadable addon is renamed into place: a failed or interrupted build leaves no
// half-built addon behind (and keeps a previous one), and concurrent first-use builds cannot mix.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { APT_PACKAGES, findLibtorch } = require('./libtorch.cjs');

const NATIVE = __dirname;
const ROOT = path.dirname(NATIVE);
const ADDON = path.join(NATIVE, 'build', 'Release', 'wildcat_native.node');
const STAGING_PREFIX = 'build-staging-';
/** A clone has the Makefile (it is not in the npm package): there `make` builds and installs. */
const SOURCE_CHECKOUT = fs.existsSync(path.join(ROOT, 'Makefile'));

const isFile = (p) => {
  try { return fs.statSync(p).isFile(); } catch { return false; }
};
const answers = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 10000 }).status === 0;

/** node-gyp: the package's own (a clone's devDependency), else npm's (in npm scripts), else npm's bundled one next to this Node, else one on PATH. */
function findNodeGyp() {
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js', { paths: [ROOT] })];
  } catch { /* not installed with the package */ }
  const npmBundled = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  for (const script of [process.env.npm_config_node_gyp, npmBundled]) {
    if (script && isFile(script)) return [process.execPath, script];
  }
  return answers('node-gyp', ['--version']) ? ['node-gyp'] : null;
}

/** The Gloo header the distributed entry point needs (through libtorch's ProcessGroupGloo.hpp). */
const GLOO_HEADER = 'gloo/allreduce.h';
const SYSTEM_INCLUDE_DIRS = ['/usr/include', '/usr/local/include'];
const glooHeaderFound = (includeDirs) => [...includeDirs, ...SYSTEM_INCLUDE_DIRS].some((dir) => isFile(path.join(dir, GLOO_HEADER)));

/** Every missing prerequisite as `{ what, apt }`, plus what the build needs when nothing is missing. */
function checkPrerequisites() {
  const missing = [];
  const nodeDir = path.resolve(process.execPath, '..', '..');
  const nodeApi = path.join(nodeDir, 'include', 'node', 'node_api.h');
  if (!isFile(nodeApi)) missing.push({ what: `Node's headers are not next to this Node (${nodeApi} is missing)`, apt: ['libnode-dev'] });
  const cxx = (process.env.CXX || 'c++').split(/\s+/).filter(Boolean);
  if (!answers(cxx[0], [...cxx.slice(1), '--version'])) missing.push({ what: `no C++ compiler (\`${cxx.join(' ')} --version\` failed)`, apt: ['g++'] });
  if (!answers('make', ['--version'])) missing.push({ what: 'no make', apt: ['make'] });
  const python = process.env.PYTHON || 'python3';
  if (!answers(python, ['--version'])) missing.push({ what: `no Python (\`${python} --version\` failed; node-gyp runs gyp with it)`, apt: ['python3'] });
  const libtorch = findLibtorch();
  if (!libtorch.ok) missing.push({ what: `libtorch not found: ${libtorch.reason}`, apt: process.env.LIBTORCH ? [] : APT_PACKAGES, libtorch: true });
  // ProcessGroupGloo.hpp includes Gloo's own headers, which Debian's libtorch-dev does not pull in:
  // without this check a machine lacking libgloo-dev gets a compiler error instead of the fix.
  else if (!glooHeaderFound(libtorch.includeDirs)) missing.push({ what: `Gloo's headers not found (${GLOO_HEADER} in ${[...libtorch.includeDirs, ...SYSTEM_INCLUDE_DIRS].join(', ')})`, apt: ['libgloo-dev'] });
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) missing.push({ what: 'node-gyp not found', apt: ['node-gyp'] });
  return { missing, nodeDir, libtorch, nodeGyp };
}

/** What to run once the prerequisite is there, for the way this build was started. */
function retry(mode) {
  if (SOURCE_CHECKOUT) return 'make native';
  if (mode === '--install') return 'npm install again';
  return 'npm rebuild wildcat-ts (or run the program again: wildcat-ts builds its addon on first use)';
}

function prerequisiteMessage(missing, mode) {
  const apt = [...new Set(missing.flatMap((m) => m.apt))];
  const lines = ['wildcat-ts: cannot build the native addon:', ...missing.map((m) => `  - ${m.what}`)];
  if (apt.length > 0) lines.push(`Fix: sudo apt-get install ${apt.join(' ')}`);
  if (missing.some((m) => m.libtorch)) {
    lines.push(process.env.LIBTORCH
      ? `${apt.length > 0 ? '  and' : 'Fix:'} point LIBTORCH at an unpacked libtorch (the folder holding include/ and lib/), or unset it to use the system's (sudo apt-get install ${APT_PACKAGES.join(' ')})`
      : `  or point LIBTORCH at an unpacked libtorch (the folder holding include/ and lib/), e.g. LIBTORCH=/opt/libtorch`);
  }
  lines.push(`then run ${retry(mode)}.`);
  return lines.join('\n') + '\n';
}

/** Staging folders of builds whose process is gone (killed mid-build). */
function removeAbandonedStaging() {
  for (const entry of fs.readdirSync(NATIVE)) {
    const pid = Number(entry.startsWith(STAGING_PREFIX) ? entry.slice(STAGING_PREFIX.length).split('-')[0] : NaN);
    if (!Number.isInteger(pid)) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if (e.code === 'ESRCH') fs.rmSync(path.join(NATIVE, entry), { recursive: true, force: true });
    }
  }
}

function tail(text, lines) {
  return text.split('\n').slice(-lines).join('\n');
}

function build(mode) {
  if (mode === '--install' && SOURCE_CHECKOUT) return 0;
  const quiet = mode === '--first-use';
  const { missing, nodeDir, libtorch, nodeGyp } = checkPrerequisites();
  if (missing.length > 0) {
    process.stderr.write(prerequisiteMessage(missing, mode));
    return 1;
  }
  const started = Date.now();
  if (!quiet) process.stderr.write(`wildcat-ts: building the native addon against libtorch in ${libtorch.libDir} (Node headers from ${nodeDir})\n`);
  removeAbandonedStaging();
  let staging;
  try {
    staging = fs.mkdtempSync(path.join(NATIVE, `${STAGING_PREFIX}${process.pid}-`));
  } catch (e) {
    process.stderr.write(`wildcat-ts: cannot build the native addon: cannot write to ${NATIVE} (${e.code || e.message}).\n` +
      `Fix: run the build as the owner of that folder (a global install: sudo npm rebuild -g wildcat-ts).\n`);
    return 1;
  }
  const cleanUp = () => fs.rmSync(staging, { recursive: true, force: true });
  const interrupted = () => { cleanUp(); process.exit(130); };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    for (const entry of fs.readdirSync(NATIVE)) {
      if (entry === 'build' || entry.startsWith(STAGING_PREFIX)) continue;
      fs.cpSync(path.join(NATIVE, entry), path.join(staging, entry), { recursive: true });
    }
    const [cmd, ...pre] = nodeGyp;
    const args = [...pre, 'rebuild', `--nodedir=${nodeDir}`, `--jobs=${os.availableParallelism()}`];
    const gyp = spawnSync(cmd, args, { cwd: staging, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', maxBuffer: 64 << 20 });
    if (gyp.status !== 0) {
      const output = quiet ? tail(`${gyp.stdout}${gyp.stderr}`, 40) + '\n' : '';
      process.stderr.write(`${output}wildcat-ts: the native addon did not compile (node-gyp ${gyp.error ? gyp.error.message : `exited with ${gyp.status ?? gyp.signal}`}; its output is above).\n` +
        `libtorch: ${libtorch.libDir}; Node headers: ${nodeDir}. Check that libtorch-dev and this Node are the versions the build expects, then run ${retry(mode)}.\n`);
      return 1;
    }
    const built = path.join(staging, 'build', 'Release', 'wildcat_native.node');
    // Linking is not loading: a missing shared library (e.g. OpenBLAS) only shows when the addon loads.
    const load = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(built)}).version()`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (load.status !== 0) {
      process.stderr.write(`wildcat-ts: the native addon compiled but does not load:\n${tail(load.stderr.trim(), 6)}\n` +
        `Fix: sudo apt-get install ${APT_PACKAGES.join(' ')}, then run ${retry(mode)}.\n`);
      return 1;
    }
    fs.mkdirSync(path.dirname(ADDON), { recursive: true });
    fs.renameSync(built, ADDON);
    if (!quiet) process.stderr.write(`wildcat-ts: built ${path.relative(ROOT, ADDON)} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    return 0;
  } finally {
    cleanUp();
    process.removeListener('SIGINT', interrupted).removeListener('SIGTERM', interrupted);
  }
}

const mode = process.argv[2];
if (mode !== undefined && mode !== '--install' && mode !== '--first-use') {
  process.stderr.write(`usage: node native/build.cjs [--install | --first-use] (got ${mode})\n`);
  process.exit(2);
}
process.exitCode = build(mode);
