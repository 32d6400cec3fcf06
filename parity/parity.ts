// Lockstep guard: our training steps against the same steps written directly in PyTorch
// (parity/torch_parity.py, Debian's python3-torch), from the same initial weights (ours, saved as
// safetensors and loaded into a PyTorch model with the same names), on the same saved batches,
// with the same optimizer, schedule and loss. For every case it runs `--steps` (20) steps on both
// sides, each step from the same state (ours after the previous step: see parity/compare.ts for
// why), and compares the loss and the weights after every step, so the last comparison is of the
// final weights. Free-running copies of both sides are run too, and the table says for how many
// steps their losses stayed bit-identical.
//
//   npm run parity                                  # every case; exit 1 on any mismatch
//   npm run parity -- --cases wildcat-s16,pretrain  # some cases
//   npm run parity -- --perturb momentum=0.8        # change OUR side only: the guard must fail
//
// Our side runs the trainers' own pieces: wslOptimizer / wslSchedule / wslLoss / trainStep
// (src/train/wslTrainer.ts) and pretrainOptimizer / pretrainSchedule / pretrainStep
// (src/train/pretrain.ts); the PyTorch side is written from their documented semantics only.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, setNumThreads, tensor, tidy, type Tensor } from '../src/core/index.js';
import { loadTensors, saveTensors } from '../src/io/index.js';
import { loadFashionMnist, rgbToNormalizedChw, SceneGenerator, SingleItemGenerator, PRETRAIN_STYLES, type Batch } from '../src/data/index.js';
import { defaultPretrainConfig, pretrainOptimizer, pretrainSchedule, pretrainStep, type PretrainConfig } from '../src/train/pretrain.js';
import { defaultWslConfig, type WslTrainConfig } from '../src/train/wslConfig.js';
import { trainStep, wslLoss, wslOptimizer, wslSchedule } from '../src/train/wslTrainer.js';
import { buildBackbone, buildWildcatNet } from '../src/wsl/buildWildcatNet.js';
import { describeSpatialPooling, type SpatialPooling } from '../src/wsl/spatialPooling.js';
import { DEFAULT_PYTHON, parseFlags, torchAvailable } from '../bench/common.js';
import { checkStep, identicalPrefix, judgeSteps, type CaseVerdict, type StepCheck } from './compare.js';

const help = (names: string[]): string => `usage: node dist/parity/parity.js [flags]   (npm run parity -- [flags])
  --cases a,b          cases to run (default all): ${names.join(', ')}
  --steps 20           steps per case
  --perturb KEY=VALUE  change a hyper-parameter on our side only (momentum, weightDecay, lr,
                       backboneLrScale, warmupEpochs, warmupSteps): the guard must then fail
  --python PATH        interpreter with torch (default ${DEFAULT_PYTHON})
  --keep DIR           keep the weights, batches and traces in DIR
  --trace              print both sides' loss at every step`;

/** One lockstep case: a WSL training run or a pre-training run, described by the trainer's own config. */
type ParityCase =
  | { name: string; kind: 'wsl'; config: WslTrainConfig; stepsPerEpoch: number }
  | { name: string; kind: 'pretrain'; config: PretrainConfig };

const SEED = 2024;

/** WSL cases: 96-px scenes, batch 8, 10 classes, 5 steps per epoch, 4 epochs (1 of warm-up). */
function wslCase(name: string, pooling: SpatialPooling, over: { stride?: 8 | 16; maps?: number; loss?: WslTrainConfig['loss'] } = {}): ParityCase {
  const d = defaultWslConfig(10);
  const config: WslTrainConfig = {
    ...d,
    model: { ...d.model, backbone: { depth: 18, widthMultiplier: 0.5, outputStride: over.stride ?? 16 }, maps: over.maps ?? 1, pooling, classWise: 'mean', architecture: 'maps' },
    loss: over.loss ?? 'logistic',
    imageSize: 96, batchSize: 8, epochs: 4, warmupEpochs: 1,
    lr: 0.1, backboneLrScale: 0.1, momentum: 0.9, weightDecay: 1e-4, seed: SEED, threads: 1,
  };
  return { name, kind: 'wsl', config, stepsPerEpoch: 5 };
}

const wildcat = (alpha: number): SpatialPooling => ({ kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha });

/** Every case of the guard: each pooling, output stride 16 and 8, M > 1, the AP loss, and pre-training. */
export const PARITY_CASES: ParityCase[] = [
  wslCase('wildcat-s16', wildcat(0.7)),
  wslCase('wildcat-s8-m4', wildcat(0.7), { stride: 8, maps: 4 }),
  wslCase('weldon-s16', wildcat(1)),
  wslCase('max-s16', { kind: 'max' }),
  wslCase('gap-s16', { kind: 'gap' }),
  wslCase('lse-s16', { kind: 'lse', r: 5 }),
  wslCase('wildcat-ap-loss', wildcat(0.7), { loss: 'ap' }),
  {
    name: 'pretrain', kind: 'pretrain',
    config: { ...defaultPretrainConfig(), steps: 20, warmupSteps: 5, batchSize: 16, canvasSize: 64, minItemSize: 24, maxItemSize: 56, seed: SEED, threads: 1 },
  },
];

function describe(c: ParityCase): string {
  if (c.kind === 'pretrain') {
    return `pre-training: stride 32, CE, Nesterov, wd ${c.config.weightDecay}, warm-up ${c.config.warmupSteps} + cosine`;
  }
  const m = c.config.model;
  return `${describeSpatialPooling(m.pooling)}, stride ${m.backbone.outputStride}, M ${m.maps}, ${c.config.loss}, wd ${c.config.weightDecay}, warm-up ${c.config.warmupEpochs} ep + cosine`;
}

/** Applies --perturb KEY=VALUE to a config (ours only). */
function perturb<T extends object>(config: T, perturbation: [string, number] | null): T {
  if (!perturbation) return config;
  const [key, value] = perturbation;
  return key in config ? { ...config, [key]: value } : config;
}

/** Plain float64 copies of a state dict, by name. */
function weightsOf(dict: Map<string, Tensor>): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const [k, t] of dict) out.set(k, tidy(() => Float64Array.from(t.to('float64').toArray() as Float64Array)));
  return out;
}

function readWeights(path: string): Map<string, Float64Array> {
  const { tensors } = loadTensors(path);
  try {
    return weightsOf(tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/** Saved batches of a case: images [steps, B, 3, S, S] and labels (WSL: ±1 [steps, B, C]; pre-training: class [steps, B]). */
async function makeBatches(c: ParityCase, steps: number): Promise<{ images: Float32Array; labels: Float32Array | Int32Array; B: number; S: number; C: number }> {
  const items = await loadFashionMnist('train');
  if (c.kind === 'pretrain') {
    const gen = new SingleItemGenerator(items, { canvasSize: c.config.canvasSize, minSize: c.config.minItemSize, maxSize: c.config.maxItemSize, styles: PRETRAIN_STYLES, seed: SEED });
    const B = c.config.batchSize;
    const S = c.config.canvasSize;
    const images = new Float32Array(steps * B * 3 * S * S);
    const labels = new Int32Array(steps * B);
    for (let s = 0; s < steps; s++) {
      const b = gen.batchAt(s, B);
      images.set(b.images, s * b.images.length);
      labels.set(b.labels, s * B);
    }
    return { images, labels, B, S, C: items.classNames.length };
  }
  const S = c.config.imageSize;
  const B = c.config.batchSize;
  const gen = new SceneGenerator(items, { size: S, minItemSize: 24, maxItemSize: 56, seed: SEED });
  const C = gen.numClasses;
  const images = new Float32Array(steps * B * 3 * S * S);
  const labels = new Float32Array(steps * B * C);
  for (let k = 0; k < steps * B; k++) {
    const scene = gen.sceneAt(k);
    rgbToNormalizedChw(scene.rgb, S, S, undefined, undefined, 3, images, k * 3 * S * S);
    labels.set(gen.labelsOf(scene), k * C);
  }
  return { images, labels, B, S, C };
}

/** Our side of a case: the trainer's network, optimizer, schedule and step, on the saved batches. */
class OurSide {
  readonly net: ReturnType<typeof buildBackbone> | ReturnType<typeof buildWildcatNet>;
  readonly #step: (k: number) => number;
  readonly #dispose: () => void;

  constructor(c: ParityCase, data: Batches, initial: Map<string, Tensor>, perturbation: [string, number] | null) {
    const { B, S, C } = data;
    const plane = B * 3 * S * S;
    if (c.kind === 'pretrain') {
      const config = perturb(c.config, perturbation);
      const net = buildBackbone({ ...config.backbone, outputStride: 32 }, C);
      net.loadStateDict(initial);
      const opt = pretrainOptimizer(net, config);
      const schedule = pretrainSchedule(config);
      this.net = net;
      this.#step = (k) => {
        schedule.apply(opt, k);
        return pretrainStep(net, opt, data.images.subarray(k * plane, (k + 1) * plane), (data.labels as Int32Array).subarray(k * B, (k + 1) * B), B, S);
      };
      this.optimizer = opt;
      this.#dispose = () => { opt.dispose(); net.dispose(); };
    } else {
      const config = perturb(c.config, perturbation);
      const net = buildWildcatNet(config.model);
      net.loadStateDict(initial);
      const opt = wslOptimizer(net, config);
      const schedule = wslSchedule(config);
      const lossFn = wslLoss(config.loss);
      const nb = c.stepsPerEpoch;
      this.net = net;
      this.#step = (k) => {
        // As the trainer: the schedule is applied at epoch + b / batches before every step.
        const epoch = Math.floor(k / nb);
        const b = k % nb;
        schedule.apply(opt, epoch + b / nb);
        const batch: Batch = {
          images: data.images.subarray(k * plane, (k + 1) * plane),
          labels: Int8Array.from((data.labels as Float32Array).subarray(k * B * C, (k + 1) * B * C)),
          ids: [], indices: new Int32Array(B), batchSize: B, size: S, numClasses: C, epoch, index: b,
        };
        return trainStep(net, opt, lossFn, batch, S);
      };
      this.optimizer = opt;
      this.#dispose = () => { opt.dispose(); net.dispose(); };
    }
    this.net.train();
  }

  readonly optimizer: { stateDict(): { tensors: Record<string, Tensor> } };

  step(k: number): number {
    return this.#step(k);
  }

  /** Weights, BatchNorm buffers and momentum buffers (state.<i>.momentum_buffer), as torch numbers them. */
  saveState(path: string): void {
    tidy(() => {
      const all = new Map(this.net.stateDict());
      for (const [k, t] of Object.entries(this.optimizer.stateDict().tensors)) all.set(k, t);
      saveTensors(path, all);
    });
  }

  weights(): Map<string, Float64Array> {
    return tidy(() => weightsOf(this.net.stateDict()));
  }

  dispose(): void {
    this.#dispose();
  }
}

interface Batches {
  images: Float32Array;
  labels: Float32Array | Int32Array;
  B: number;
  S: number;
  C: number;
}

/** The PyTorch process (parity/torch_parity.py), one JSON line per request and per reply. */
class TorchSide {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  #stderr = '';
  version = '';

  constructor(python: string) {
    this.#child = spawn(python, [scriptPath()], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
    this.#child.stderr.on('data', (d: Buffer) => { this.#stderr = (this.#stderr + d.toString()).slice(-4000); });
  }

  async ready(): Promise<void> {
    const r = await this.#read();
    this.version = String(r.torch);
  }

  async request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.#child.stdin.write(JSON.stringify(message) + '\n');
    const reply = await this.#read();
    if (typeof reply.error === 'string') throw new Error(`PyTorch side: ${reply.error}`);
    return reply;
  }

  async #read(): Promise<Record<string, unknown>> {
    const next = await this.#lines.next();
    if (next.done) throw new Error(`${scriptPath()} ended unexpectedly; its stderr:\n${this.#stderr}`);
    return JSON.parse(next.value) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((res) => this.#child.once('exit', () => res()));
    this.#child.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n');
    await exited;
  }
}

/** What one case gave. */
interface CaseResult {
  c: ParityCase;
  verdict: CaseVerdict;
  checks: StepCheck[];
  /** Free-running: leading steps with bit-identical losses, and the largest loss difference. */
  identicalSteps: number;
  freeMaxLossDiff: number;
}

/** Runs one case on both sides: free-running, then step by step from our states. */
async function runCase(c: ParityCase, steps: number, dir: string, torch: TorchSide, perturbation: [string, number] | null, trace: boolean): Promise<CaseResult> {
  setNumThreads(1);
  manualSeed(SEED);
  const data = await makeBatches(c, steps);
  const { B, S, C } = data;
  const files = { init: join(dir, `${c.name}.init.safetensors`), batches: join(dir, `${c.name}.batches.safetensors`), free: join(dir, `${c.name}.free.safetensors`) };
  saveTensors(files.batches, tidy(() => ({
    images: tensor(data.images, { shape: [steps, B, 3, S, S] }),
    labels: c.kind === 'pretrain' ? tensor(data.labels, { shape: [steps, B], dtype: 'int64' }) : tensor(data.labels, { shape: [steps, B, C] }),
  })));
  // The initial weights: a fresh network of the case's shape (seeded), saved for both sides.
  const fresh = c.kind === 'pretrain' ? buildBackbone({ ...c.config.backbone, outputStride: 32 }, C) : buildWildcatNet(c.config.model);
  const initial = new Map(fresh.stateDict());
  saveTensors(files.init, initial);
  try {
    await torch.request({ cmd: 'case', spec: torchSpec(c, steps, files) });
    // Free-running, as a training run would go.
    const free = new OurSide(c, data, initial, perturbation);
    const freeLosses: number[] = [];
    try {
      for (let k = 0; k < steps; k++) freeLosses.push(free.step(k));
    } finally {
      free.dispose();
    }
    const torchFree = (await torch.request({ cmd: 'free' })).losses as number[];
    const freeMaxLossDiff = Math.max(...freeLosses.map((l, k) => Math.abs(l - torchFree[k]!)));
    // Step by step from our state.
    const ours = new OurSide(c, data, initial, perturbation);
    const checks: StepCheck[] = [];
    const statePath = join(dir, `${c.name}.state.safetensors`);
    const outPath = join(dir, `${c.name}.torch-step.safetensors`);
    try {
      for (let k = 0; k < steps; k++) {
        const before = ours.weights();
        ours.saveState(statePath);
        const reply = await torch.request({ cmd: 'step', k, state: statePath, out: outPath });
        const loss = ours.step(k);
        checks.push(checkStep(k + 1, loss, reply.loss as number, before, ours.weights(), readWeights(outPath)));
        if (trace) {
          const x = checks[checks.length - 1]!;
          console.error(`  ${c.name} step ${k + 1}: loss ours ${loss}, PyTorch ${String(reply.loss)}; weights off by ${x.globalError.toExponential(2)} of the update ` +
            `(worst tensor ${x.tensor}: ${x.updateError.toExponential(2)}); free-running loss ours ${freeLosses[k]}, PyTorch ${torchFree[k]}`);
        }
      }
    } finally {
      ours.dispose();
    }
    return { c, verdict: judgeSteps(checks), checks, identicalSteps: identicalPrefix(freeLosses, torchFree), freeMaxLossDiff };
  } finally {
    fresh.dispose();
  }
}

/** What the PyTorch side needs to know of a case (from the unperturbed config). */
function torchSpec(c: ParityCase, steps: number, files: Record<string, string>): Record<string, unknown> {
  if (c.kind === 'pretrain') {
    const k = c.config;
    return {
      name: c.name, kind: 'pretrain', steps, files, depth: k.backbone.depth, width: k.backbone.widthMultiplier, output_stride: 32,
      lr: k.lr, momentum: k.momentum, weight_decay: k.weightDecay, nesterov: true, warmup_steps: k.warmupSteps, total_steps: k.steps,
    };
  }
  const k = c.config;
  return {
    name: c.name, kind: 'wsl', steps, files, depth: k.model.backbone.depth, width: k.model.backbone.widthMultiplier,
    output_stride: k.model.backbone.outputStride, maps: k.model.maps, pooling: k.model.pooling, loss: k.loss,
    lr: k.lr, backbone_lr_scale: k.backboneLrScale, momentum: k.momentum, weight_decay: k.weightDecay,
    warmup_epochs: k.warmupEpochs, epochs: k.epochs, steps_per_epoch: c.stepsPerEpoch,
  };
}

function scriptPath(): string {
  return new URL('../../parity/torch_parity.py', import.meta.url).pathname;
}

function fmt(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

export async function main(argv: string[]): Promise<number> {
  const names = PARITY_CASES.map((c) => c.name);
  const flags = parseFlags(argv, ['help', 'trace']);
  const known = ['help', 'trace', 'cases', 'steps', 'perturb', 'python', 'keep'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k} (try --help)`);
  if (flags.has('help')) {
    console.log(help(names));
    return 0;
  }
  const python = flags.get('python') ?? DEFAULT_PYTHON;
  const steps = Number(flags.get('steps') ?? 20);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`--steps must be a positive integer, got ${flags.get('steps')}`);
  const wanted = flags.get('cases')?.split(',') ?? names;
  for (const n of wanted) if (!names.includes(n)) throw new Error(`unknown case '${n}'; cases: ${names.join(', ')}`);
  let perturbation: [string, number] | null = null;
  const p = flags.get('perturb');
  if (p !== undefined) {
    const m = /^(momentum|weightDecay|lr|backboneLrScale|warmupEpochs|warmupSteps)=(-?[0-9.eE+-]+)$/.exec(p);
    if (!m || !Number.isFinite(Number(m[2]))) throw new Error(`--perturb expects KEY=NUMBER with KEY one of momentum, weightDecay, lr, backboneLrScale, warmupEpochs, warmupSteps; got '${p}'`);
    perturbation = [m[1]!, Number(m[2])];
  }
  if (!torchAvailable(python)) {
    console.error(`parity: ${python} cannot import torch; install Debian's python3-torch (\`make parity\` does), or pass --python`);
    return 2;
  }
  const keep = flags.get('keep');
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'wildcat-parity-'));
  const torch = new TorchSide(python);
  try {
    await torch.ready();
    const results: CaseResult[] = [];
    for (const c of PARITY_CASES.filter((x) => wanted.includes(x.name))) {
      console.error(`parity: ${c.name} (${steps} steps)`);
      results.push(await runCase(c, steps, dir, torch, perturbation, flags.has('trace')));
    }
    console.log(`lockstep: ours vs PyTorch ${torch.version} (the same libtorch), ${steps} steps per case, 1 thread each; ` +
      'every step from our state after the previous one' + (perturbation ? `; OUR side perturbed: ${perturbation[0]} = ${perturbation[1]}` : ''));
    const header = ['case', 'what', 'max |Δ loss|', 'weight error / update: all', 'worst tensor', 'free-running: identical losses', 'result'];
    const table = results.map((r) => [
      r.c.name, describe(r.c), fmt(r.verdict.maxLossDiff), fmt(r.verdict.maxGlobalError), `${fmt(r.verdict.worstUpdate)} (${r.verdict.worstTensor}, step ${r.verdict.worstStep})`,
      `${r.identicalSteps}/${steps}${r.identicalSteps < steps ? ` (then up to ${fmt(r.freeMaxLossDiff)})` : ''}`, r.verdict.ok ? 'ok' : 'FAIL',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    for (const row of [header, ...table]) console.log(row.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
    const failed = results.filter((r) => !r.verdict.ok);
    for (const r of failed) for (const problem of r.verdict.problems) console.log(`  ${r.c.name}: ${problem}`);
    console.log(failed.length === 0 ? `parity: all ${results.length} cases agree` : `parity: ${failed.length} of ${results.length} cases FAIL`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    await torch.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
    console.error(`parity: ${e.message}`);
    process.exit(2);
  });
}

