// WSL benchmark: the training step of our default WILDCAT model and the backbone pre-training
// step, ours versus PyTorch (bench/torch_wsl.py, bench/torch_engine.py) on the same machine in
// the same run, with the same explicit thread count on both sides.
//
//   npm run bench:wsl -- --steps 8 --threads 2
//
// - wsl: half-width ResNet-18 (widthMultiplier 0.5), output stride 16, 192 px, batch 16,
//   transfer layer to C·M maps (C = 10, M = 4; --maps 1 for the trainer's current default),
//   class-wise mean, WILDCAT k⁺ = k⁻ = 0.2, α = 0.7, multi-label logistic loss, SGD momentum 0.9,
//   weight decay 1e-4, two parameter groups (backbone at lr/10): the step of
//   src/train/wslTrainer.ts;
// - pretrain: the same backbone at output stride 32 with a 10-way classifier, 96 px, batch 64,
//   cross-entropy, SGD Nesterov momentum 0.9, weight decay 5e-4 (src/train/pretrain.ts).
//
// stdout: one JSON line per bench,
//   {"bench","step_s","torch_step_s","step_ratio","images_per_s","torch_images_per_s", ...}
// (medians over the timed steps; the ratio is ours / PyTorch). Progress and warnings go to stderr.
import { getNumThreads, manualSeed, setNumThreads, tensor, tidy } from '../src/core/index.js';
import { functional as F, resnet } from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';
import { stepIfFinite } from '../src/train/stepIfFinite.js';
import { multiLabelLogisticLoss } from '../src/wsl/index.js';
import { buildWildcatNet, type WildcatNetSpec } from '../src/wsl/buildWildcatNet.js';
import {
  checkLoad, cpuBusy, DEFAULT_PYTHON, interleave, intFlag, load1, log, median, parseFlags, ratio, sec, torchAvailable, TorchWorker,
  type Phases,
  torchIdentity,
  writeLine,
} from './common.js';

const HELP = `usage: node dist/bench/wsl.js [flags]
  --only wsl,pretrain          which steps to time
  --maps 4                     M, maps per class of the WSL transfer layer
  --threads 2                  intra-op threads, set on both sides
  --warmup 2                   untimed steps per side
  --steps 8                    timed steps per side (>= 5 recommended)
  --rounds 8                   interleaving rounds (ours / PyTorch alternate; default: every step)
  --no-torch                   skip the PyTorch reference
  --python /usr/bin/python3    interpreter with torch`;

/** The WSL configuration timed (src/train/wslConfig.ts defaults, 10 classes). */
const WSL = {
  px: 192,
  batch: 16,
  classes: 10,
  maps: 4,
  kmax: 0.2,
  kmin: 0.2,
  alpha: 0.7,
  lr: 0.05,
  backboneLrScale: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
};

/** The pre-training configuration timed (src/train/pretrain.ts defaults). */
const PRETRAIN = { px: 96, batch: 64, classes: 10, lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

function randomImages(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < a.length; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

function wslPhases(maps: number): { phases: Phases; dispose: () => void; model: string } {
  manualSeed(0);
  const spec: WildcatNetSpec = {
    backbone: { depth: 18, widthMultiplier: 0.5, outputStride: 16 },
    numClasses: WSL.classes,
    maps,
    classWise: 'mean',
    pooling: { kind: 'wildcat', kmax: WSL.kmax, kmin: WSL.kmin, alpha: WSL.alpha },
    architecture: 'maps',
  };
  const net = buildWildcatNet(spec);
  const opt = new SGD(
    [{ params: net.backboneParameters(), lr: WSL.lr * WSL.backboneLrScale }, { params: net.headParameters(), lr: WSL.lr }],
    { lr: WSL.lr, momentum: WSL.momentum, weightDecay: WSL.weightDecay },
  );
  const shape = [WSL.batch, 3, WSL.px, WSL.px];
  const images = randomImages(WSL.batch * 3 * WSL.px * WSL.px);
  const labels = Float32Array.from({ length: WSL.batch * WSL.classes }, () => (Math.random() < 0.3 ? 1 : -1));
  net.train();
  const phases: Phases = {
    // As trainStep() in src/train/wslTrainer.ts.
    train: () =>
      tidy(() => {
        const x = tensor(images, { shape });
        const y = tensor(labels, { shape: [WSL.batch, WSL.classes], dtype: 'float32' });
        return stepIfFinite(multiLabelLogisticLoss(net.forward(x), y), opt);
      }),
  };
  return {
    phases,
    model: `wildcat resnet18 w0.5 os16 C${WSL.classes} M${maps}`,
    dispose: () => {
      opt.dispose();
      net.dispose();
    },
  };
}

function pretrainPhases(): { phases: Phases; dispose: () => void; model: string } {
  manualSeed(0);
  const net = resnet(18, { numClasses: PRETRAIN.classes, widthMultiplier: 0.5 });
  const opt = new SGD(net.parameters(), { lr: PRETRAIN.lr, momentum: PRETRAIN.momentum, weightDecay: PRETRAIN.weightDecay, nesterov: true });
  const shape = [PRETRAIN.batch, 3, PRETRAIN.px, PRETRAIN.px];
  const images = randomImages(PRETRAIN.batch * 3 * PRETRAIN.px * PRETRAIN.px);
  const labels = Int32Array.from({ length: PRETRAIN.batch }, () => Math.floor(Math.random() * PRETRAIN.classes));
  net.train();
  const phases: Phases = {
    // As the step of src/train/pretrain.ts.
    train: () =>
      tidy(() => {
        const x = tensor(images, { shape });
        const y = tensor(labels, { dtype: 'int64' });
        return stepIfFinite(F.crossEntropy(net.forward(x), y), opt);
      }),
  };
  return {
    phases,
    model: `resnet18 w0.5 C${PRETRAIN.classes}`,
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
  const known = ['only', 'maps', 'threads', 'warmup', 'steps', 'rounds', 'no-torch', 'python'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k}\n${HELP}`);
  const threads = intFlag(flags, 'threads', 2);
  const warmup = intFlag(flags, 'warmup', 2, 0);
  const steps = intFlag(flags, 'steps', 8);
  const rounds = intFlag(flags, 'rounds', steps);
  const python = flags.get('python') ?? DEFAULT_PYTHON;
  const maps = intFlag(flags, 'maps', WSL.maps);
  const only = (flags.get('only') ?? 'wsl,pretrain').split(',');
  for (const b of only) if (b !== 'wsl' && b !== 'pretrain') throw new Error(`--only: unknown bench '${b}' (wsl, pretrain)`);
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
          ? await TorchWorker.start(python, 'torch_wsl.py', ['--threads', t, '--px', String(px), '--batch', String(batch), '--classes', String(WSL.classes), '--maps', String(maps)])
          : await TorchWorker.start(python, 'torch_engine.py', [
              '--model', 'resnet18', '--width', '0.5', '--classes', String(PRETRAIN.classes), '--px', String(px), '--batch', String(batch),
              '--threads', t, '--lr', String(PRETRAIN.lr), '--momentum', String(PRETRAIN.momentum), '--weight-decay', String(PRETRAIN.weightDecay), '--nesterov',
            ]);
      torch = started.worker;
      info = { ...started.info };
    }
    const ours = bench === 'wsl' ? wslPhases(maps) : pretrainPhases();
    try {
      const t = await interleave({ label: bench, ours: ours.phases, torch, warmup, steps, rounds });
      const stepS = median(t.ours.train!);
      const line: Record<string, unknown> = {
        bench, model: ours.model, px, batch, threads: getNumThreads(),
        step_s: sec(stepS),
        images_per_s: Math.round((batch / stepS) * 10) / 10,
        step_s_min: sec(Math.min(...t.ours.train!)),
      };
      if (torch) {
        const tStep = median(t.torch.train!);
        Object.assign(line, {
          torch_step_s: sec(tStep),
          step_ratio: ratio(stepS, tStep),
          torch_images_per_s: Math.round((batch / tStep) * 10) / 10,
          torch_step_s_min: sec(Math.min(...t.torch.train!)),
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
  log(`bench/wsl: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
