// When the addon cannot be loaded, the error names the reason and the fix (in a clone: make).
// The installed-package messages are checked by test/package/install.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NATIVE_JS = fileURLToPath(new URL('../../src/core/native.js', import.meta.url));

function importNative(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(NATIVE_JS)})`],
      { env: { ...process.env, ...env }, timeout: 30_000 }, (error, _stdout, stderr) => {
        if (!error) reject(new Error('the import succeeded'));
        else resolve(stderr);
      });
  });
}

test('WILDCAT_NATIVE pointing at nothing: the message names the variable', async () => {
  const stderr = await importNative({ WILDCAT_NATIVE: '/nonexistent/wildcat_native.node' });
  assert.match(stderr, /wildcat-ts: WILDCAT_NATIVE=\/nonexistent\/wildcat_native\.node does not exist\. Unset it/);
});

test('an addon the loader refuses: the reason, the fix in a clone (make native) and the loader message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildcat-native-'));
  try {
    const bogus = join(dir, 'wildcat_native.node');
    writeFileSync(bogus, 'not a shared object\n'.repeat(20));
    const stderr = await importNative({ WILDCAT_NATIVE: bogus });
    assert.match(stderr, new RegExp(`wildcat-ts: cannot load the native addon ${bogus}: the loader refused it\\. Rebuild it: \`make native\` in `));
    assert.match(stderr, /Loader: .*invalid ELF header/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
