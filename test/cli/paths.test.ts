// The cache folder: WILDCAT_CACHE, else the clone's .cache/, else the per-user cache (never node_modules).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../src/cli/paths.js';

let dir: string;
let clone: string;
let installed: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wildcat-paths-'));
  clone = join(dir, 'clone');
  installed = join(dir, 'app', 'node_modules', 'wildcat-ts');
  for (const root of [clone, installed]) mkdirSync(root, { recursive: true });
  writeFileSync(join(clone, 'Makefile'), '');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('WILDCAT_CACHE wins everywhere (resolved to an absolute path)', () => {
  assert.equal(cacheDir({ WILDCAT_CACHE: '/srv/cache', XDG_CACHE_HOME: '/x' }, installed), '/srv/cache');
  assert.equal(cacheDir({ WILDCAT_CACHE: 'rel' }, clone), join(process.cwd(), 'rel'));
});

test('a clone caches in its own .cache/', () => {
  assert.equal(cacheDir({ XDG_CACHE_HOME: '/x', HOME: '/home/u' }, clone), join(clone, '.cache'));
});

test('an installed package caches in the per-user cache folder, not in node_modules', () => {
  assert.equal(cacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }, installed), '/x/cache/wildcat-ts');
  assert.equal(cacheDir({ HOME: '/home/u' }, installed), '/home/u/.cache/wildcat-ts');
  assert.equal(cacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }, installed), '/home/u/.cache/wildcat-ts', 'a relative XDG_CACHE_HOME is ignored');
});
