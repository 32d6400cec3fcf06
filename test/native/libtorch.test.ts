// native/libtorch.cjs finds libtorch the same way for every build: LIBTORCH, else the system's in the
// multiarch folder the toolchain reports. Checked on fake machine layouts (Debian amd64 and arm64,
// a toolchain that reports nothing, /usr/local, a LIBTORCH folder, nothing at all) and on this one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Probe {
  env: Record<string, string | undefined>;
  isFile(path: string): boolean;
  listDir(path: string): string[];
  run(cmd: string, args: string[]): string;
}
type Found =
  | { ok: true; root: string; includeDirs: string[]; libDir: string; rpath: boolean }
  | { ok: false; reason: string; searched: string[] };
interface LibtorchModule {
  APT_PACKAGES: string[];
  findLibtorch(probe?: Probe): Found;
  gypSettings(found: Found & { ok: true }): { include: string; libdir: string; rpath: string };
  multiarchNames(probe: Probe): string[];
}

const libtorch = createRequire(import.meta.url)(fileURLToPath(new URL('../../../native/libtorch.cjs', import.meta.url))) as LibtorchModule;

const HEADER = 'include/torch/csrc/api/include/torch/torch.h';

/**
 * A fake machine: `files` exist, `/usr/lib` lists the triplet folders of those files, and each
 * command in `answers` prints its answer (any other command fails, as a missing tool does).
 */
function machine(files: string[], answers: Record<string, string> = {}, env: Record<string, string> = {}): Probe & { calls: string[] } {
  const set = new Set(files);
  const calls: string[] = [];
  return {
    env,
    calls,
    isFile: (p) => set.has(p),
    listDir: (dir) => [...new Set(files.filter((f) => f.startsWith(dir + '/')).map((f) => f.slice(dir.length + 1).split('/')[0]!))],
    run: (cmd, args) => {
      calls.push(`${cmd} ${args.join(' ')}`);
      return answers[cmd] ?? '';
    },
  };
}

const debian = (triplet: string) => [`/usr/lib/${triplet}/libtorch.so`, `/usr/${HEADER}`, `/usr/lib/${triplet}/libc.so.6`];

test('Debian amd64: the compiler names x86_64-linux-gnu; system include dirs, no rpath', () => {
  const found = libtorch.findLibtorch(machine(debian('x86_64-linux-gnu'), { 'c++': 'x86_64-linux-gnu', gcc: 'x86_64-linux-gnu' }));
  assert.deepEqual(found, {
    ok: true, root: '/usr', libDir: '/usr/lib/x86_64-linux-gnu', rpath: false,
    includeDirs: ['/usr/include', '/usr/include/torch/csrc/api/include'],
  });
  assert.ok(found.ok);
  assert.deepEqual(libtorch.gypSettings(found), {
    include: '/usr/include /usr/include/torch/csrc/api/include', libdir: '/usr/lib/x86_64-linux-gnu', rpath: '',
  });
});

test('Debian arm64: the same logic finds aarch64-linux-gnu (no architecture is written in the search)', () => {
  const found = libtorch.findLibtorch(machine(debian('aarch64-linux-gnu'), { 'c++': 'aarch64-linux-gnu' }));
  assert.ok(found.ok, JSON.stringify(found));
  assert.equal(found.libDir, '/usr/lib/aarch64-linux-gnu');
  assert.deepEqual(found.includeDirs, ['/usr/include', '/usr/include/torch/csrc/api/include']);
});

test('the multiarch name comes from $CXX first, then gcc, then dpkg; answers that are not a name are ignored', () => {
  const m = machine([], { 'clang++': 'error: unknown argument: -print-multiarch', 'dpkg-architecture': 'aarch64-linux-gnu' }, { CXX: 'clang++' });
  assert.deepEqual(libtorch.multiarchNames(m), ['aarch64-linux-gnu']);
  assert.deepEqual(m.calls, ['clang++ -print-multiarch', 'gcc -print-multiarch', 'dpkg-architecture -qDEB_HOST_MULTIARCH']);
  const arm = libtorch.findLibtorch(machine(debian('aarch64-linux-gnu'), { 'dpkg-architecture': 'aarch64-linux-gnu' }));
  assert.ok(arm.ok && arm.libDir === '/usr/lib/aarch64-linux-gnu');
});

test('a toolchain that reports no multiarch name: libtorch.so is found in whichever /usr/lib/<triplet> holds it', () => {
  const found = libtorch.findLibtorch(machine([...debian('aarch64-linux-gnu'), '/usr/lib/python3/dist-packages/x.py']));
  assert.ok(found.ok, JSON.stringify(found));
  assert.equal(found.libDir, '/usr/lib/aarch64-linux-gnu');
});

test('a libtorch installed under /usr/local (a source build) uses /usr/local/include', () => {
  const found = libtorch.findLibtorch(machine(['/usr/local/lib/libtorch.so', `/usr/local/${HEADER}`], { gcc: 'x86_64-linux-gnu' }));
  assert.ok(found.ok, JSON.stringify(found));
  assert.equal(found.libDir, '/usr/local/lib');
  assert.deepEqual(found.includeDirs, ['/usr/local/include', '/usr/local/include/torch/csrc/api/include']);
});

test('LIBTORCH wins over the system libtorch and records its lib folder as rpath', () => {
  const files = [...debian('x86_64-linux-gnu'), '/opt/libtorch/lib/libtorch.so', `/opt/libtorch/${HEADER}`];
  const found = libtorch.findLibtorch(machine(files, { gcc: 'x86_64-linux-gnu' }, { LIBTORCH: '/opt/libtorch' }));
  assert.deepEqual(found, {
    ok: true, root: '/opt/libtorch', libDir: '/opt/libtorch/lib', rpath: true,
    includeDirs: ['/opt/libtorch/include', '/opt/libtorch/include/torch/csrc/api/include'],
  });
  assert.ok(found.ok);
  assert.equal(libtorch.gypSettings(found).rpath, '-Wl,-rpath,/opt/libtorch/lib');
});

test('a LIBTORCH that is not a libtorch folder is an error naming what is missing (no silent fallback to the system)', () => {
  const found = libtorch.findLibtorch(machine([...debian('x86_64-linux-gnu'), '/opt/libtorch/lib/libtorch.so'], { gcc: 'x86_64-linux-gnu' }, { LIBTORCH: '/opt/libtorch' }));
  assert.equal(found.ok, false);
  assert.ok(!found.ok);
  assert.match(found.reason, /^LIBTORCH=\/opt\/libtorch is not a libtorch folder: \/opt\/libtorch\/include\/torch\/csrc\/api\/include\/torch\/torch\.h is missing$/);
});

test('no libtorch anywhere: the reason lists the folders searched and says LIBTORCH is not set', () => {
  const found = libtorch.findLibtorch(machine(['/usr/lib/aarch64-linux-gnu/libc.so.6'], { 'c++': 'aarch64-linux-gnu' }));
  assert.ok(!found.ok);
  assert.deepEqual(found.searched, ['/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/lib64', '/usr/local/lib/aarch64-linux-gnu', '/usr/local/lib', '/usr/local/lib64']);
  assert.match(found.reason, /^no libtorch\.so in \/usr\/lib\/aarch64-linux-gnu, .* and LIBTORCH is not set$/);
});

test('the library without its headers (runtime package only) says the headers are missing', () => {
  const found = libtorch.findLibtorch(machine(['/usr/lib/x86_64-linux-gnu/libtorch.so'], { gcc: 'x86_64-linux-gnu' }));
  assert.ok(!found.ok);
  assert.match(found.reason, /libtorch\.so is there but not its headers \(\/usr\/include\/torch\/csrc\/api\/include\/torch\/torch\.h\)/);
});

test('on this machine the system libtorch is found where libtorch.so really is', () => {
  const found = libtorch.findLibtorch();
  assert.ok(found.ok, JSON.stringify(found));
  assert.ok(existsSync(join(found.libDir, 'libtorch.so')));
  assert.ok(found.includeDirs.every((d) => existsSync(d)));
});
