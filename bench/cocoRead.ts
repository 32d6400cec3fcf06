// Reading a large COCO instances file: our streaming reader (src/data/cocoInstances.ts) against the
// reference way, JSON.parse of the whole text (what pycocotools' json.load does), on the same
// synthetic file, each in a fresh child process so its peak RSS is its own.
//
//   npm run bench:coco -- --mb 450 [--heap-mb 16000]
//
// Readers: `stream` (labels, boxes and masks: what eval reads), `stream-labels` (masks: false,
// what training reads) and `json-parse`. --heap-mb caps V8's old space of each child (default
// 16000: uncapped here); with a cap, a reader that needs more stops with "heap out of memory",
// reported as {"error":"out of memory"}: the smallest cap that reads the file is its real footprint,
// where the uncapped peak RSS also counts garbage V8 had no reason to collect yet.
//
// The file: COCO's layout and proportions (instances_train2017.json: 450 MB, 118k images, 860k
// annotations, polygons of ~20 points), written to a temporary folder and removed afterwards.
// stdout: one JSON line per reader: {"bench","reader","seconds","peak_rss_mb","annotations","file_mb"}.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCocoInstances } from '../src/data/cocoInstances.js';
import { Rng } from '../src/data/random.js';
import { intFlag, log, parseFlags } from './common.js';

async function writeSyntheticCoco(path: string, targetMb: number): Promise<void> {
  const rng = new Rng(1);
  const out = createWriteStream(path);
  const write = (s: string): Promise<void> => new Promise((res) => (out.write(s) ? res() : out.once('drain', () => res())));
  const images = Math.round(118 * targetMb / 450) * 1000;
  await write('{"info":{"description":"synthetic"},"licenses":[],"images":[');
  for (let i = 1; i <= images; i++) await write(`${i > 1 ? ',' : ''}{"license":1,"file_name":"${String(i).padStart(12, '0')}.jpg","height":480,"width":640,"id":${i}}`);
  await write('],"annotations":[');
  let bytes = 0;
  let id = 1;
  const target = targetMb * 1e6;
  while (bytes < target) {
    const pts: string[] = [];
    for (let k = 0; k < 40; k++) pts.push((rng.uniform(0, 600)).toFixed(2));
    const crowd = id % 100 === 0;
    const seg = crowd ? `{"counts":[${Array.from({ length: 40 }, () => 7680).join(',')}],"size":[480,640]}` : `[[${pts.join(',')}]]`;
    const s = `${id > 1 ? ',' : ''}{"segmentation":${seg},"area":${rng.uniform(10, 5000).toFixed(3)},"iscrowd":${crowd ? 1 : 0},"image_id":${1 + (id % images)},"bbox":[${rng.uniform(0, 300).toFixed(2)},${rng.uniform(0, 200).toFixed(2)},${rng.uniform(1, 300).toFixed(2)},${rng.uniform(1, 200).toFixed(2)}],"category_id":${1 + (id % 80)},"id":${id}}`;
    bytes += s.length;
    id++;
    await write(s);
  }
  await write('],"categories":[');
  for (let c = 1; c <= 80; c++) await write(`${c > 1 ? ',' : ''}{"supercategory":"s","id":${c},"name":"class${c}"}`);
  await write(']}');
  await new Promise<void>((res) => out.end(res));
}

/** Child mode: read the file one way, print seconds and peak RSS. */
async function child(reader: string, path: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  let annotations = 0;
  if (reader === 'stream') annotations = (await readCocoInstances(path)).annotations.length;
  else if (reader === 'stream-labels') annotations = (await readCocoInstances(path, { masks: false })).annotations.length;
  else annotations = (JSON.parse(readFileSync(path, 'utf8')) as { annotations: unknown[] }).annotations.length;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, peak_rss_mb: process.resourceUsage().maxRSS / 1024, annotations }) + '\n');
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const childReader = flags.get('child');
  if (childReader !== undefined) return child(childReader, flags.get('file')!);
  const mb = intFlag(flags, 'mb', 450);
  const heapMb = intFlag(flags, 'heap-mb', 16000);
  const dir = mkdtempSync(join(tmpdir(), 'wildcat-coco-bench-'));
  try {
    const file = join(dir, 'instances.json');
    log(`writing a ${mb} MB synthetic instances file…`);
    await writeSyntheticCoco(file, mb);
    const fileMb = statSync(file).size / 1e6;
    for (const reader of ['stream', 'stream-labels', 'json-parse']) {
      const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, fileURLToPath(import.meta.url), '--child', reader, '--file', file], { encoding: 'utf8' });
      const head = { bench: 'coco-read', reader, file_mb: Number(fileMb.toFixed(1)), heap_mb: heapMb };
      if (r.status !== 0 && /heap out of memory/i.test(r.stderr)) process.stdout.write(JSON.stringify({ ...head, error: 'out of memory' }) + '\n');
      else if (r.status !== 0) throw new Error(`${reader}: ${r.stderr}`);
      else process.stdout.write(JSON.stringify({ ...head, ...JSON.parse(r.stdout) }) + '\n');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
