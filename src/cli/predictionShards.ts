// Sharded prediction: `wildcat predict --shard i/n` writes the predictions of one contiguous
// part of the split (whole batches) with a shard.json describing it; `wildcat predict --merge
// DIRS... --out PRED` puts the parts back together, byte for byte what an unsharded run writes:
// every top-level CSV is the header once and the shards' rows in shard order, and every other
// file (masks, class lists) is copied, files present in several shards being identical.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DataFileError } from '../core/index.js';
import { writeFileAtomic } from '../io/index.js';
import { UsageError } from './args.js';

/** The description every shard folder carries. */
export const SHARD_FILE = 'shard.json';

export interface ShardInfo {
  /** 0-based shard index and number of shards. */
  shard: number;
  shards: number;
  /** Images in this shard and in the whole split. */
  images: number;
  total: number;
  run: string;
  checkpoint: string;
  split: string;
}

/** Parses `i/n` (0 <= i < n). */
export function parseShardSpec(spec: string): { shard: number; shards: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const shard = m ? Number(m[1]) : NaN;
  const shards = m ? Number(m[2]) : NaN;
  if (!m || !(shards >= 1) || !(shard < shards)) throw new UsageError(`--shard expects i/n with 0 <= i < n (e.g. 0/4), got '${spec}'`);
  return { shard, shards };
}

/** Writes `dir/shard.json` (after the predictions: a folder with it is complete). */
export function writeShardInfo(dir: string, info: ShardInfo): void {
  writeFileAtomic(join(dir, SHARD_FILE), JSON.stringify(info, null, 2) + '\n');
}

/** Merges the shard folders `dirs` into `out`; returns the images and files written. */
export function mergePredictionShards(dirs: readonly string[], out: string): { images: number; files: number } {
  if (dirs.length === 0) throw new UsageError('--merge needs the shard folders: wildcat predict --merge PRED_0 PRED_1 ... --out PRED');
  const shards = dirs.map((dir) => ({ dir, info: readShardInfo(dir) }));
  const first = shards[0]!.info;
  const byIndex = new Map<number, string>();
  for (const { dir, info } of shards) {
    for (const key of ['shards', 'total', 'run', 'checkpoint', 'split'] as const) {
      if (info[key] !== first[key]) throw new Error(`${dir} is a shard of another prediction (${key} ${JSON.stringify(info[key])}, ${dirs[0]} has ${JSON.stringify(first[key])})`);
    }
    const other = byIndex.get(info.shard);
    if (other !== undefined) throw new Error(`${other} and ${dir} are both shard ${info.shard}/${info.shards}`);
    byIndex.set(info.shard, dir);
  }
  const missing = [...Array(first.shards).keys()].filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new Error(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${first.shards}`).join(', ')} missing: merge all ${first.shards} shards`);
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, dir]) => dir);
  const images = shards.reduce((s, x) => s + x.info.images, 0);
  if (images !== first.total) throw new Error(`the shards hold ${images} images, the split ${first.total}`);
  const outAbs = resolve(out);
  for (const dir of ordered) if (resolve(dir) === outAbs) throw new UsageError(`--out ${out} is one of the shards; merge into another folder`);

  // Every shard holds the same files; CSVs are concatenated, the rest must agree.
  const files = listFiles(ordered[0]!).filter((f) => f !== SHARD_FILE);
  for (const dir of ordered.slice(1)) {
    const theirs = listFiles(dir).filter((f) => f !== SHARD_FILE);
    const csv = (l: string[]): string => l.filter((f) => f.endsWith('.csv') && !f.includes('/')).sort().join(', ');
    if (csv(theirs) !== csv(files)) throw new Error(`${dir} holds ${csv(theirs) || 'no CSV'}, ${ordered[0]} ${csv(files) || 'no CSV'}: shards of one prediction write the same files`);
  }
  const written = new Set<string>();
  for (const name of files.filter((f) => f.endsWith('.csv') && !f.includes('/'))) {
    let header: string | null = null;
    const rows: string[] = [];
    for (const dir of ordered) {
      const text = readFileSync(join(dir, name), 'utf8');
      const nl = text.indexOf('\n');
      const head = nl < 0 ? text : text.slice(0, nl);
      if (header === null) header = head;
      else if (head !== header) throw new Error(`${join(dir, name)} has the header '${head}', ${join(ordered[0]!, name)} '${header}'`);
      if (nl >= 0) rows.push(text.slice(nl + 1));
    }
    writeFileAtomic(join(out, name), `${header}\n${rows.join('')}`);
    written.add(name);
  }
  const copies = new Map<string, { from: string; bytes: Buffer }>();
  for (const dir of ordered) {
    for (const name of listFiles(dir)) {
      if (name === SHARD_FILE || written.has(name)) continue;
      const bytes = readFileSync(join(dir, name));
      const seen = copies.get(name);
      if (seen === undefined) copies.set(name, { from: dir, bytes });
      else if (!seen.bytes.equals(bytes)) throw new Error(`${join(dir, name)} differs from ${join(seen.from, name)}: shards of one prediction write the same shared files`);
    }
  }
  for (const [name, { bytes }] of copies) writeFileAtomic(join(out, name), bytes);
  return { images, files: written.size + copies.size };
}

function readShardInfo(dir: string): ShardInfo {
  const path = join(dir, SHARD_FILE);
  if (!existsSync(path)) throw new Error(`${dir} is not a prediction shard (no ${SHARD_FILE}): write shards with wildcat predict --shard i/n`);
  let info: ShardInfo;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as ShardInfo;
  } catch (e) {
    throw new DataFileError(path, `not a shard description (${(e as Error).message})`);
  }
  if (info === null || typeof info !== 'object') throw new DataFileError(path, 'not a shard description (expected an object with shard, shards, images, total)');
  const ints = [info.shard, info.shards, info.images, info.total];
  if (!ints.every((x) => Number.isInteger(x) && x >= 0) || info.shard >= info.shards) throw new DataFileError(path, 'shard, shards, images, total must be integers with shard < shards');
  return info;
}

/** Files under `dir`, as paths relative to it with '/' separators, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
