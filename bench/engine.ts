// Engine benchmark: ResNet training steps (SGD momentum 0.9, cross-entropy, 1000 classes,
// torchvision's widths) and inference (eval mode, noGrad), ours versus PyTorch on the same
// machine in the same run, with the same explicit thread count on both sides.
//
//   npm run bench:engine -- --models resnet18,resnet50 --px 224 --batch 8 --steps 6 --threads 2
//
// Each side runs in both memory layouts (--formats): contiguous (NCHW, PyTorch's default) and
// channels-last (NHWC in memory; PyTorch's `model.to(memory_format=torch.channels_last)`, ours
// `net.to({ memoryFormat: 'channelsLast' })`), every phase interleaved with the reference's.
// Inference runs twice per layout: plain (eager layers; PyTorch's eager module) and fused (ours:
// setInferenceFusion, BatchNorm folded into prepacked oneDNN convolutions, what the CLI's
// --inference fused does; PyTorch's: torch.jit.freeze + optimize_for_inference).
//
// stdout: one JSON line per configuration,
//   {"model","px","batch","threads","step_s","infer_s","infer_fused_s","step_cl_s","infer_cl_s",
//    "infer_fused_cl_s", "torch_<same>", "<same>_ratio", "best_step_ratio","best_infer_ratio",
//    "best_fused_infer_ratio", ...}
// (medians over the timed steps; ratios are ours / PyTorch, same layout and path; best_step:
// our faster layout against PyTorch's faster one; best_infer: our fastest inference (either
// path, the CLI's default is fused) against PyTorch's fastest eager one, the reference of the
// targets; best_fused_infer: our fastest fused against PyTorch's fastest frozen TorchScript).
// Progress and warnings go to stderr.
import { getNumThreads, manualSeed, noGrad, setNumThreads, tensor, tidy, MEMORY_FORMATS, type MemoryFormat } from '../src/core/index.js';
import { functional as F, resnet, type ResNet } from '../src/nn/index.js';
import { setInferenceFusion } from '../src/nn/inferenceFusion.js';
import { SGD } from '../src/optim/index.js';
import { stepIfFinite } from '../src/train/stepIfFinite.js';
import {
  checkLoad, cpuBusy, DEFAULT_PYTHON, interleave, intFlag, load1, log, median, parseFlags, ratio, sec, torchAvailable, TorchWorker,
  type Phases,
  torchIdentity,
  writeLine,
} from './common.js';

const HELP = `usage: node dist/bench/engine.js [flags]
  --models resnet18,resnet50   ResNets to time (resnet18/34/50/101/152)
  --px 224                     input side (comma list allowed: 160,224)
  --batch 8                    batch size (comma list allowed)
  --threads 2                  intra-op threads, set on both sides
  --warmup 2                   untimed steps per phase and side
  --steps 6                    timed steps per phase and side (>= 5 recommended)
  --rounds 6                   interleaving rounds (ours / PyTorch alternate; default: every step)
  --classes 1000               classifier size
  --no-torch                   skip the PyTorch reference
  --python /usr/bin/python3    interpreter with torch
  --torch-impl auto            auto | torchvision | script (ResNet of the reference)
  --formats contiguous,channelsLast   memory layouts to time (both sides)`;

interface Config {
  model: string;
  depth: 18 | 34 | 50 | 101 | 152;
  px: number;
  batch: number;
}

function list(s: string, what: string): number[] {
  return s.split(',').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${what}: expected positive integers, got '${v}'`);
    return n;
  });
}

type Phase = 'train' | 'infer' | 'infer_fused';
const PHASES: readonly Phase[] = ['train', 'infer', 'infer_fused'];

/** Phase names of a layout: 'train', 'infer', 'infer_fused' for contiguous, with '_cl' for channels-last (as torch_engine.py names them). */
function phaseName(phase: Phase, format: MemoryFormat): string {
  return format === 'channelsLast' ? `${phase}_cl` : phase;
}

/** Our side: per layout a model, its optimizer and one step of each phase. */
function oursPhases(c: Config, classes: number, formats: MemoryFormat[]): { phases: Phases; dispose: () => void } {
  const images = new Float32Array(c.batch * 3 * c.px * c.px);
  for (let i = 0; i < images.length; i++) images[i] = Math.random() * 2 - 1;
  const labels = Int32Array.from({ length: c.batch }, () => Math.floor(Math.random() * classes));
  const shape = [c.batch, 3, c.px, c.px];
  const phases: Phases = {};
  const disposers: (() => void)[] = [];
  for (const memoryFormat of formats) {
    manualSeed(0);
    const net: ResNet = resnet(c.depth, { numClasses: classes }).to({ memoryFormat });
    const opt = new SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
    // The batch is copied in and laid out as the network's weights are (as x.to(memory_format) in PyTorch).
    const batch = (): ReturnType<typeof tensor> => tensor(images, { shape }).contiguous({ memoryFormat });
    phases[phaseName('train', memoryFormat)] = () => {
      net.train();
      return tidy(() => {
        const y = tensor(labels, { dtype: 'int64' });
        return stepIfFinite(F.crossEntropy(net.forward(batch()), y), opt);
      });
    };
    phases[phaseName('infer', memoryFormat)] = () => {
      setInferenceFusion(false);
      net.eval();
      return tidy(() => noGrad(() => net.forward(batch()).toArray()[0]));
    };
    // Its own network, as PyTorch's frozen copy: train() between the phases would drop the packed
    // weights (and the training step changes them), which a real inference run never does.
    manualSeed(0);
    const frozen: ResNet = resnet(c.depth, { numClasses: classes }).to({ memoryFormat }).eval();
    phases[phaseName('infer_fused', memoryFormat)] = () => {
      setInferenceFusion(true);
      return tidy(() => noGrad(() => frozen.forward(batch()).toArray()[0]));
    };
    disposers.push(() => {
      opt.dispose();
      net.dispose();
      frozen.dispose();
    });
  }
  return { phases, dispose: () => disposers.forEach((d) => d()) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    log(HELP);
    return;
  }
  const flags = parseFlags(argv, ['no-torch']);
  const known = ['models', 'px', 'batch', 'threads', 'warmup', 'steps', 'rounds', 'classes', 'no-torch', 'python', 'torch-impl', 'formats'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k}\n${HELP}`);
  const threads = intFlag(flags, 'threads', 2);
  const warmup = intFlag(flags, 'warmup', 2, 0);
  const steps = intFlag(flags, 'steps', 6);
  const rounds = intFlag(flags, 'rounds', steps);
  const classes = intFlag(flags, 'classes', 1000);
  const python = flags.get('python') ?? DEFAULT_PYTHON;
  const impl = flags.get('torch-impl') ?? 'auto';
  const formats = (flags.get('formats') ?? MEMORY_FORMATS.join(',')).split(',') as MemoryFormat[];
  for (const f of formats) if (!MEMORY_FORMATS.includes(f)) throw new Error(`--formats: unknown layout '${f}' (${MEMORY_FORMATS.join(', ')})`);
  if (steps < 5) log(`note: --steps ${steps} < 5: the medians rest on few steps`);

  const configs: Config[] = [];
  for (const model of (flags.get('models') ?? 'resnet18,resnet50').split(',')) {
    const depth = Number(model.replace(/^resnet/, ''));
    if (![18, 34, 50, 101, 152].includes(depth) || !model.startsWith('resnet')) throw new Error(`--models: unknown model '${model}' (resnet18, resnet34, resnet50, resnet101, resnet152)`);
    for (const px of list(flags.get('px') ?? '224', 'px')) {
      for (const batch of list(flags.get('batch') ?? '8', 'batch')) configs.push({ model, depth: depth as Config['depth'], px, batch });
    }
  }

  const start = await checkLoad();
  const loadStart = start.load;
  setNumThreads(threads);
  const useTorch = !flags.has('no-torch') && torchAvailable(python);
  if (!flags.has('no-torch') && !useTorch) log(`note: ${python} cannot import torch; timing our side only`);

  for (const c of configs) {
    const label = `${c.model} ${c.px}px b${c.batch}`;
    const load0 = load1();
    const busy0 = await cpuBusy();
    let torch: TorchWorker | null = null;
    let info: Record<string, unknown> = {};
    if (useTorch) {
      const started = await TorchWorker.start(python, 'torch_engine.py', [
        '--model', c.model, '--px', String(c.px), '--batch', String(c.batch), '--threads', String(threads),
        '--classes', String(classes), '--impl', impl, '--formats', formats.join(','),
      ]);
      torch = started.worker;
      info = { ...started.info };
    }
    const ours = oursPhases(c, classes, formats);
    try {
      const t = await interleave({ label, ours: ours.phases, torch, warmup, steps, rounds });
      const line: Record<string, unknown> = { model: c.model, px: c.px, batch: c.batch, threads: getNumThreads() };
      const best = { ours: { train: Infinity, infer: Infinity, infer_fused: Infinity }, torch: { train: Infinity, infer: Infinity, infer_fused: Infinity } };
      for (const f of formats) {
        const suffix = f === 'channelsLast' ? '_cl' : '';
        for (const phase of PHASES) {
          const key = `${phase === 'train' ? 'step' : phase}${suffix}`;
          const p = phaseName(phase, f);
          const mine = median(t.ours[p]!);
          best.ours[phase] = Math.min(best.ours[phase], mine);
          line[`${key}_s`] = sec(mine);
          line[`${key}_s_min`] = sec(Math.min(...t.ours[p]!));
          if (torch) {
            const theirs = median(t.torch[p]!);
            best.torch[phase] = Math.min(best.torch[phase], theirs);
            line[`torch_${key}_s`] = sec(theirs);
            line[`torch_${key}_s_min`] = sec(Math.min(...t.torch[p]!));
            line[`${key}_ratio`] = ratio(mine, theirs);
          }
        }
      }
      if (torch) {
        Object.assign(line, {
          best_step_ratio: ratio(best.ours.train, best.torch.train),
          best_infer_ratio: ratio(Math.min(best.ours.infer, best.ours.infer_fused), best.torch.infer),
          best_fused_infer_ratio: ratio(best.ours.infer_fused, best.torch.infer_fused),
          ...torchIdentity(info),
        });
      }
      writeLine(line, { steps, warmup, loadStart: load0, busyStart: busy0 });
    } finally {
      ours.dispose();
      await torch?.close();
    }
  }
  if (loadStart > 0.5 || load1() > 0.5) log(`load average at start ${loadStart}, at end ${load1()}`);
}

main().catch((e: unknown) => {
  log(`bench/engine: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
