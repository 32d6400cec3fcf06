// WSL benchmark: the training step of our default WILDCAT model and the backbone pre-training
// step, ours versus PyTorch (bench/torch_wsl.py, bench/torch_engine.py) on the same machine in
// the same run, with the same explicit thread count on both sides.
//
//   npm run bench:wsl -- --steps 8 --threads 2
//
// - wsl: half-width ResNet-18 (widthMultiplier 0.5), output stride 16, 192 px, batch 16,
//   transfer layer to C·M maps (C = 10, M = 1 as the trainer's default; --maps 4 for the paper's VOC setting),
//   class-wise mean, WILDCAT k⁺ = k⁻ = 0.2, α = 0.7, multi-label logistic loss, SGD momentum 0.9,
//   weight decay 1e-4, two parameter groups (backbone at lr/10): the step of
//   src/train/wslTrainer.ts;
// - pretrain: the same backbone at output stride 32 with a 10-way classifier, 96 px, batch 64,
//   cross-entropy, SGD Nesterov momentum 0.9, weight decay 5e-4 (src/train/pretrain.ts).
//
// Each side runs each memory layout of --formats (contiguous; channels-last: the model's 4-D
// weights and the batch in NHWC order, as PyTorch's torch.channels_last), interleaved.
//
// stdout: one JSON line per bench,
//   {"bench","step_s","step_cl_s","torch_step_s","torch_step_cl_s","step_ratio","step_cl_ratio",
//    "best_step_ratio","images_per_s","torch_images_per_s","gc_ms_per_step","full_gc_per_step", ...}
// (medians over the timed steps; ratios are ours / PyTorch, best_*: our faster layout against
// PyTorch's faster one; images_per_s at each side's faster layout; GC: V8's collections that
// started inside our steps, warm-up included). Progress and warnings go to stderr.
import { getNumThreads, setNumThreads, MEMORY_FORMATS, type MemoryFormat } from '../src/core/index.js';
import { phaseName, pretrainPhases, PRETRAIN, WSL, wslPhases } from './wslSteps.js';
import {
  checkLoad, cpuBusy, DEFAULT_PYTHON, GcMeter, interleave, intFlag, load1, log, median, parseFlags, ratio, sec, torchAvailable, TorchWorker,
  torchIdentity,
  writeLine,
} from './common.js';

const HELP = `usage: node dist/bench/wsl.js [flags]
  --only wsl,pretrain          which steps to time
  --maps 1                     M, maps per class of the WSL transfer layer
  --threads 2                  intra-op threads, set on both sides
  --warmup 2                   untimed steps per side
  --steps 8                    timed steps per side (>= 5 recommended)
  --rounds 8                   interleaving rounds (ours / PyTorch alternate; default: every step)
  --no-torch                   skip the PyTorch reference
  --python /usr/bin/python3    interpreter with torch
  --formats contiguous,channelsLast   memory layouts to time (both sides)`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    log(HELP);
    return;
  }
  const flags = parseFlags(argv, ['no-torch']);
  const known = ['only', 'maps', 'threads', 'warmup', 'steps', 'rounds', 'no-torch', 'python', 'formats'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k}\n${HELP}`);
  const threads = intFlag(flags, 'threads', 2);
  const warmup = intFlag(flags, 'warmup', 2, 0);
  const steps = intFlag(flags, 'steps', 8);
  const rounds = intFlag(flags, 'rounds', steps);
  const python = flags.get('python') ?? DEFAULT_PYTHON;
  const maps = intFlag(flags, 'maps', WSL.maps);
  const only = (flags.get('only') ?? 'wsl,pretrain').split(',');
  for (const b of only) if (b !== 'wsl' && b !== 'pretrain') throw new Error(`--only: unknown bench '${b}' (wsl, pretrain)`);
  const formats = (flags.get('formats') ?? MEMORY_FORMATS.join(',')).split(',') as MemoryFormat[];
  for (const f of formats) if (!MEMORY_FORMATS.includes(f)) throw new Error(`--formats: unknown layout '${f}' (${MEMORY_FORMATS.join(', ')})`);
  if (steps < 5) log(`note: --steps ${steps} < 5: the medians rest on few steps`);

  const start = await checkLoad();
  const loadStart = start.load;
  setNumThreads(threads);
  const useTorch = !flags.has('no-torch') && torchAvailable(python);
  if (!flags.has('no-torch') && !useTorch) log(`note: ${python} cannot import torch; timing our side only`);

  for (const bench of only) {
    const load0 = load1();
    const busy0 = await cpuBusy();
    const px = bench === 'wsl' ? WSL.px : PRETRAIN.px;
    const batch = bench === 'wsl' ? WSL.batch : PRETRAIN.batch;
    let torch: TorchWorker | null = null;
    let info: Record<string, unknown> = {};
    if (useTorch) {
      const t = String(threads);
      const started =
        bench === 'wsl'
          ? await TorchWorker.start(python, 'torch_wsl.py', ['--threads', t, '--px', String(px), '--batch', String(batch), '--classes', String(WSL.classes), '--maps', String(maps), '--formats', formats.join(',')])
          : await TorchWorker.start(python, 'torch_engine.py', [
              '--model', 'resnet18', '--width', '0.5', '--classes', String(PRETRAIN.classes), '--px', String(px), '--batch', String(batch),
              '--threads', t, '--lr', String(PRETRAIN.lr), '--momentum', String(PRETRAIN.momentum), '--weight-decay', String(PRETRAIN.weightDecay), '--nesterov', '--formats', formats.join(','),
            ]);
      torch = started.worker;
      info = { ...started.info };
    }
    const ours = bench === 'wsl' ? wslPhases(maps, formats) : pretrainPhases(formats);
    const gc = new GcMeter();
    try {
      const t = await interleave({ label: bench, ours: gc.wrap(ours.phases), torch, warmup, steps, rounds });
      const line: Record<string, unknown> = { bench, model: ours.model, px, batch, threads: getNumThreads() };
      let best = Infinity;
      let torchBest = Infinity;
      for (const f of formats) {
        const p = phaseName(f);
        const key = f === 'channelsLast' ? 'step_cl' : 'step';
        const mine = median(t.ours[p]!);
        best = Math.min(best, mine);
        line[`${key}_s`] = sec(mine);
        line[`${key}_s_min`] = sec(Math.min(...t.ours[p]!));
        if (torch) {
          const theirs = median(t.torch[p]!);
          torchBest = Math.min(torchBest, theirs);
          line[`torch_${key}_s`] = sec(theirs);
          line[`torch_${key}_s_min`] = sec(Math.min(...t.torch[p]!));
          line[`${key}_ratio`] = ratio(mine, theirs);
        }
      }
      line.images_per_s = Math.round((batch / best) * 10) / 10;
      if (torch) {
        Object.assign(line, {
          best_step_ratio: ratio(best, torchBest),
          torch_images_per_s: Math.round((batch / torchBest) * 10) / 10,
          ...torchIdentity(info),
        });
      }
      const g = await gc.msPerStep();
      Object.assign(line, { gc_ms_per_step: g.gcMsPerStep, full_gc_per_step: g.fullGcPerStep });
      writeLine(line, { steps, warmup, loadStart: load0, busyStart: busy0 });
    } finally {
      ours.dispose();
      await torch?.close();
    }
  }
  if (loadStart > 0.5 || load1() > 0.5) log(`load average at start ${loadStart}, at end ${load1()}`);
}

main().catch((e: unknown) => {
  log(`bench/wsl: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
