// Engine benchmark: ResNet training steps (SGD momentum 0.9, cross-entropy, 1000 classes,
// torchvision's widths) and inference (eval mode, noGrad), ours versus PyTorch on the same
// machine in the same run, with the same explicit thread count on both sides.
//
//   npm run bench:engine -- --models resnet18,resnet50 --px 224 --batch 8 --steps 6 --threads 2
//
// stdout: one JSON line per configuration,
//   {"model","px","batch","threads","step_s","infer_s", "torch_step_s","torch_infer_s","step_ratio","infer_ratio", ...}
// (medians over the timed steps; ratios are ours / PyTorch). Progress and warnings go to stderr.
import { getNumThreads, manualSeed, noGrad, setNumThreads, tensor, tidy } from '../src/core/index.js';
import { functional as F, resnet, type ResNet } from '../src/nn/index.js';
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
  --torch-impl auto            auto | torchvision | script (ResNet of the reference)`;

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

/** Our side: the model, its optimizer and one step of each phase. */
function oursPhases(c: Config, classes: number): { phases: Phases; dispose: () => void } {
  manualSeed(0);
  const net: ResNet = resnet(c.depth, { numClasses: classes });
  const opt = new SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const images = new Float32Array(c.batch * 3 * c.px * c.px);
  for (let i = 0; i < images.length; i++) images[i] = Math.random() * 2 - 1;
  const labels = Int32Array.from({ length: c.batch }, () => Math.floor(Math.random() * classes));
  const shape = [c.batch, 3, c.px, c.px];
  const phases: Phases = {
    train: () => {
      net.train();
      return tidy(() => {
        const x = tensor(images, { shape });
        const y = tensor(labels, { dtype: 'int64' });
        return stepIfFinite(F.crossEntropy(net.forward(x), y), opt);
      });
    },
    infer: () => {
      net.eval();
      return tidy(() => noGrad(() => net.forward(tensor(images, { shape })).toArray()[0]));
    },
  };
  return {
    phases,
    dispose: () => {
      opt.dispose();
      net.dispose();
    },
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    log(HELP);
    return;
  }
  const flags = parseFlags(argv, ['no-torch']);
  const known = ['models', 'px', 'batch', 'threads', 'warmup', 'steps', 'rounds', 'classes', 'no-torch', 'python', 'torch-impl'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k}\n${HELP}`);
  const threads = intFlag(flags, 'threads', 2);
  const warmup = intFlag(flags, 'warmup', 2, 0);
  const steps = intFlag(flags, 'steps', 6);
  const rounds = intFlag(flags, 'rounds', steps);
  const classes = intFlag(flags, 'classes', 1000);
  const python = flags.get('python') ?? DEFAULT_PYTHON;
  const impl = flags.get('torch-impl') ?? 'auto';
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
        '--classes', String(classes), '--impl', impl,
      ]);
      torch = started.worker;
      info = { ...started.info };
    }
    const ours = oursPhases(c, classes);
    try {
      const t = await interleave({ label, ours: ours.phases, torch, warmup, steps, rounds });
      const stepS = median(t.ours.train!);
      const inferS = median(t.ours.infer!);
      const line: Record<string, unknown> = { model: c.model, px: c.px, batch: c.batch, threads: getNumThreads(), step_s: sec(stepS), infer_s: sec(inferS) };
      Object.assign(line, { step_s_min: sec(Math.min(...t.ours.train!)), infer_s_min: sec(Math.min(...t.ours.infer!)) });
      if (torch) {
        const tStep = median(t.torch.train!);
        const tInfer = median(t.torch.infer!);
        Object.assign(line, {
          torch_step_s: sec(tStep),
          torch_infer_s: sec(tInfer),
          step_ratio: ratio(stepS, tStep),
          infer_ratio: ratio(inferS, tInfer),
          torch_step_s_min: sec(Math.min(...t.torch.train!)),
          torch_infer_s_min: sec(Math.min(...t.torch.infer!)),
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
