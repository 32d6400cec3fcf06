// The trainer with damaged data and damaged run folders: a bad image is named before the first
// step (or skipped and listed, by choice), partial files of a killed write are removed, resuming
// a finished run changes nothing, and summary.json's times cover every segment of a resumed run;
// the dataset trust options a run records (--allow-outside-root, --unknown-class) apply to eval.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunLog } from '../../src/train/runLog.js';
import { RUN_FILES, trainWsl, type TrainWslOptions } from '../../src/train/wslTrainer.js';
import { loadCheckpoint, disposeCheckpoint } from '../../src/train/checkpoint.js';
import { tinyConfig, writeTinyScenes } from './fixtures.js';
import { evalCommand } from '../../src/cli/commands/evaluate.js';

let root: string;
let data: string;
let dir: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wildcat-badinput-'));
  data = await writeTinyScenes(join(root, 'scenes'));
  dir = join(data.slice('voc:'.length), 'VOC2007');
});
after(() => rmSync(root, { recursive: true, force: true }));

const quiet = { progress: false, log: () => undefined };
function stopAfter(steps: number): Pick<TrainWslOptions, 'signal' | 'onStep'> {
  const stop = new AbortController();
  return { signal: stop.signal, onStep: (s) => { if (s.steps >= steps) stop.abort(); } };
}

test("a damaged image stops training before the first step, naming it; --on-bad-image skip trains without it and lists it", async () => {
  const ids = readFileSync(join(dir, 'ImageSets', 'Main', 'train.txt'), 'utf8').trim().split('\n');
  const victim = join(dir, 'JPEGImages', `${ids[3]!.trim()}.jpg`);
  const good = readFileSync(victim);
  writeFileSync(victim, good.subarray(0, 100));
  try {
    const out = join(root, 'fail');
    await assert.rejects(trainWsl(tinyConfig(data, { epochs: 1 }), { out, ...quiet }),
      (e: Error) => e.message.startsWith('1 image file of ') && e.message.includes(victim) && /--on-bad-image skip/.test(e.message));
    assert.equal(existsSync(join(out, RUN_FILES.last)), false, 'nothing was trained');

    const skip = join(root, 'skip');
    const r = await trainWsl(tinyConfig(data, { epochs: 1, onBadImage: 'skip' }), { out: skip, ...quiet });
    assert.deepEqual(r.skippedImages, [victim]);
    const s = JSON.parse(readFileSync(join(skip, RUN_FILES.summary), 'utf8')) as { skippedImages: string[] };
    assert.deepEqual(s.skippedImages, [victim]);
    const logged = RunLog.read(join(skip, RUN_FILES.log)).find((e) => e.event === 'skipped_images') as { images: { path: string; reason: string }[] } | undefined;
    assert.equal(logged?.images[0]?.path, victim);
    assert.match(logged!.images[0]!.reason, /cannot decode the image/);
  } finally {
    writeFileSync(victim, good);
  }
});

test('resume removes partial temp files, times cover both segments, and resuming a finished run changes nothing', async () => {
  const out = join(root, 'resumed');
  await trainWsl(tinyConfig(data, { epochs: 1 }), { out, ...quiet, ...stopAfter(2) });
  const ckpt = loadCheckpoint<{ spentSeconds: number; spentImages: number }>(join(out, RUN_FILES.last));
  disposeCheckpoint(ckpt);
  const first = ckpt.meta;
  assert.ok(first.spentSeconds > 0 && first.spentImages === 16, JSON.stringify(first));
  const partial = join(out, `.${RUN_FILES.last}.999999999.1700000000000.tmp`);
  writeFileSync(partial, 'half a checkpoint');

  const lines: string[] = [];
  const r = await trainWsl(tinyConfig(data), { out, progress: false, log: (m) => lines.push(m), resume: true });
  assert.equal(existsSync(partial), false);
  assert.ok(lines.some((l) => l.includes('removed 1 partial file')), lines.join('\n'));
  assert.ok(r.seconds > first.spentSeconds, `summary seconds ${r.seconds} must include the first segment's ${first.spentSeconds}`);
  assert.ok(r.imagesPerSecond > 0);

  const before = [RUN_FILES.summary, RUN_FILES.log, RUN_FILES.last].map((f) => readFileSync(join(out, f)));
  const told: string[] = [];
  const again = await trainWsl(tinyConfig(data), { out, progress: false, log: (m) => told.push(m), resume: true });
  assert.equal(again.alreadyFinished, true);
  assert.equal(again.seconds, r.seconds);
  assert.match(told.join('\n'), /is finished \(1 epochs, best val mAP .*\); nothing to resume, nothing changed/);
  assert.deepEqual([RUN_FILES.summary, RUN_FILES.log, RUN_FILES.last].map((f) => readFileSync(join(out, f))), before);
});

test('--unknown-class and --allow-outside-root: recorded in config.json, applied by eval, overridden by its flags', async () => {
  const out = join(root, 'trusting');
  await trainWsl(tinyConfig(data, { epochs: 1, unknownClass: 'warn', allowOutsideRoot: true }), { out, ...quiet });
  const recorded = JSON.parse(readFileSync(join(out, RUN_FILES.config), 'utf8')) as Record<string, unknown>;
  assert.deepEqual([recorded['unknownClass'], recorded['allowOutsideRoot']], ['warn', true]);
  // A split 'outside' whose ids are paths ('./<id>'), and one of its objects with a misspelt class.
  const main = join(dir, 'ImageSets', 'Main');
  for (const f of readdirSync(main).filter((f) => /(^|_)val\.txt$/.test(f))) {
    writeFileSync(join(main, f.replace('val.txt', 'outside.txt')), readFileSync(join(main, f), 'utf8').replace(/^(\S+)/gm, './$1'));
  }
  const id = readFileSync(join(main, 'val.txt'), 'utf8').trim().split('\n')[0]!.trim();
  const xml = join(dir, 'Annotations', `${id}.xml`);
  const original = readFileSync(xml, 'utf8');
  writeFileSync(xml, original.replace(/<name>[^<]*<\/name>/, '<name>persn</name>'));
  const warnings: string[] = [];
  const consoleError = console.error;
  const consoleLog = console.log;
  console.error = (m: unknown) => void warnings.push(String(m));
  console.log = () => undefined;
  const evaluate = (...flags: string[]) => evalCommand(['--run', out, '--data', data, '--split', 'outside', '--threads', '1', '--scales', '1', '--out', join(root, 'm.json'), ...flags]);
  try {
    await evaluate();
    assert.ok(warnings.some((w) => w.includes(`${id}.xml: warning: leaving out object 1 'persn'`)), warnings.join('\n'));
    await assert.rejects(evaluate('--unknown-class', 'fail'), { name: 'DataFileError', message: new RegExp(`${id}\\.xml: object 1 'persn' is not one of the dataset's classes .*--unknown-class warn`) });
    // A run trained without --allow-outside-root refuses the path ids unless eval is given the flag.
    writeFileSync(join(out, RUN_FILES.config), JSON.stringify({ ...recorded, allowOutsideRoot: false }));
    await assert.rejects(evaluate(), { name: 'DataFileError', message: /outside\.txt: image id '\.\/.*' names a path .*--allow-outside-root/ });
    await evaluate('--allow-outside-root');
  } finally {
    console.error = consoleError;
    console.log = consoleLog;
    writeFileSync(xml, original);
  }
});
