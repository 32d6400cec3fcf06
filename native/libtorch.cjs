'use strict';
// Where libtorch is, found the same way by every build of the addon (make, npm run build:native,
// npm's install hook and the first-use build all go through build.cjs, and binding.gyp asks this
// file): the folder in LIBTORCH when it is set (an unpacked libtorch, e.g. a CUDA build, holding
// include/ and lib/), otherwise the system's libtorch (Debian libtorch-dev) in the library folder
// of the machine's architecture. No architecture is written here: the multiarch folder
// (x86_64-linux-gnu, aarch64-linux-gnu, …) comes from the toolchain that links the addon, then from
// dpkg, and as a last resort from wherever libtorch.so sits under /usr/lib.
//
// `node libtorch.cjs include|libdir|rpath` prints one build setting for binding.gyp.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

/** Debian packages that provide the system libtorch (the BLAS build it runs fastest with, and the Gloo headers its c10d process groups need). */
const APT_PACKAGES = ['libtorch-dev', 'libopenblas0-pthread', 'libgloo-dev'];
/** The header every build includes, relative to an include root. */
const TORCH_HEADER = 'torch/csrc/api/include/torch/torch.h';

/** The machine, as the search sees it; tests pass fake layouts. */
function systemProbe() {
  return {
    env: process.env,
    isFile: (p) => {
      try { return fs.statSync(p).isFile(); } catch { return false; }
    },
    listDir: (p) => {
      try { return fs.readdirSync(p); } catch { return []; }
    },
    run: (cmd, args) => {
      try {
        return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10000 }).trim();
      } catch { return ''; }
    },
  };
}

/**
 * The multiarch names of the target, most authoritative first: the compiler that links the addon
 * (`$CXX` or c++, then gcc: `-print-multiarch`), then dpkg (`DEB_HOST_MULTIARCH`). Empty when
 * none answers (a compiler without multiarch support, a system without dpkg).
 */
function multiarchNames(probe) {
  const asked = [
    [probe.env.CXX || 'c++', ['-print-multiarch']],
    ['gcc', ['-print-multiarch']],
    ['dpkg-architecture', ['-qDEB_HOST_MULTIARCH']],
  ];
  const names = [];
  for (const [cmd, args] of asked) {
    const name = probe.run(cmd, args);
    if (/^[A-Za-z0-9_.+-]+$/.test(name) && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Finds libtorch. Returns `{ ok: true, root, includeDirs, libDir, rpath }` (rpath: whether the
 * library folder must be recorded in the addon because the loader does not search it), or
 * `{ ok: false, reason, searched }` with a sentence saying what is missing where.
 */
function findLibtorch(probe = systemProbe()) {
  const given = probe.env.LIBTORCH;
  if (given) {
    const root = path.resolve(given);
    const libDir = path.join(root, 'lib');
    const missing = [path.join(libDir, 'libtorch.so'), path.join(root, 'include', TORCH_HEADER)].filter((p) => !probe.isFile(p));
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `LIBTORCH=${given} is not a libtorch folder: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`,
        searched: [root],
      };
    }
    return { ok: true, root, includeDirs: [path.join(root, 'include'), path.join(root, 'include/torch/csrc/api/include')], libDir, rpath: true };
  }

  // System prefixes, each with its architecture's folder first, then the plain ones.
  const multiarch = multiarchNames(probe);
  const candidates = [];
  for (const prefix of ['/usr', '/usr/local']) {
    for (const name of multiarch) candidates.push([prefix, path.join(prefix, 'lib', name)]);
    candidates.push([prefix, path.join(prefix, 'lib')], [prefix, path.join(prefix, 'lib64')]);
  }
  // Last resort, for toolchains that do not report a multiarch name: any /usr/lib/<triplet>/.
  for (const entry of probe.listDir('/usr/lib').sort()) {
    if (/-linux-/.test(entry)) candidates.push(['/usr', path.join('/usr/lib', entry)]);
  }
  const searched = [];
  for (const [prefix, libDir] of candidates) {
    if (searched.includes(libDir)) continue;
    searched.push(libDir);
    if (!probe.isFile(path.join(libDir, 'libtorch.so'))) continue;
    const include = path.join(prefix, 'include');
    if (!probe.isFile(path.join(include, TORCH_HEADER))) {
      return { ok: false, reason: `${libDir}/libtorch.so is there but not its headers (${path.join(include, TORCH_HEADER)})`, searched };
    }
    return { ok: true, root: prefix, includeDirs: [include, path.join(include, 'torch/csrc/api/include')], libDir, rpath: false };
  }
  return { ok: false, reason: `no libtorch.so in ${searched.join(', ')} and LIBTORCH is not set`, searched };
}

/** The three settings binding.gyp reads, as the strings gyp splices into the build. */
function gypSettings(found) {
  return {
    include: found.includeDirs.join(' '),
    libdir: found.libDir,
    rpath: found.rpath ? `-Wl,-rpath,${found.libDir}` : '',
  };
}

module.exports = { APT_PACKAGES, findLibtorch, gypSettings, multiarchNames, systemProbe };

if (require.main === module) {
  const what = process.argv[2];
  const found = findLibtorch();
  if (!found.ok) {
    process.stderr.write(`wildcat-ts: libtorch not found: ${found.reason}.\n` +
      `Install it (sudo apt-get install ${APT_PACKAGES.join(' ')}) or set LIBTORCH to a libtorch folder (holding include/ and lib/).\n`);
    process.exit(1);
  }
  const settings = gypSettings(found);
  if (!(what in settings)) {
    process.stderr.write(`usage: node libtorch.cjs include|libdir|rpath (got ${what})\n`);
    process.exit(2);
  }
  process.stdout.write(settings[what]);
}
