#!/usr/bin/env node
// The `wildcat` command line.
// Nothing imported here may load the addon: chooseThreadWaiting must run before libtorch does.
import { UsageError } from './usageError.js';
import { chooseThreadWaiting } from './threadWaiting.js';
import { LAUNCHER_PID_VAR } from '../distributed/launchEnv.js'; // not index.js: that loads the addon

const USAGE = `
wildcat — weakly supervised learning of deep ConvNets (WELDON / WILDCAT) on libtorch

  wildcat data scenes --out DIR      write the embedded Fashion-MNIST scenes (VOC layout)
  wildcat pretrain                   pre-train a backbone on single items (cached)
  wildcat train --data voc:DIR --out RUN     train from image-level labels
  wildcat eval --run RUN --data voc:DIR --split test      classification, localization mAP, segmentation mIoU
  wildcat predict --run RUN --data voc:DIR --split SPLIT --out PRED   CSV predictions, segmentation masks
  wildcat tune-segmentation --run RUN --split val   background thresholds by val mIoU
  wildcat report --run RUN --data voc:DIR --split test --out report.html   HTML report with heatmaps
  wildcat studio --run RUN [--data voc:DIR --split test]   local web app: maps, live re-pooling, dataset browser
  wildcat ablate --data voc:DIR --out DIR    poolings compared with the same budget
  wildcat mantra --data voc:DIR --out RUN    MANTRA latent structural SVM on a frozen backbone
  wildcat combine --runs A,B --data voc:DIR --split val --out COMBO   Object-Bank combination of runs
  wildcat demo                       the whole pipeline on the embedded data

\`wildcat <command> --help\` lists a command's options.
`;

const commands: Record<string, () => Promise<{ [k: string]: (argv: string[]) => Promise<void> }>> = {
  data: () => import('./commands/data.js').then((m) => ({ run: m.dataCommand })),
  pretrain: () => import('./commands/pretrain.js').then((m) => ({ run: m.pretrainCommand })),
  train: () => import('./commands/train.js').then((m) => ({ run: m.trainCommand })),
  eval: () => import('./commands/evaluate.js').then((m) => ({ run: m.evalCommand })),
  predict: () => import('./commands/predict.js').then((m) => ({ run: m.predictCommand })),
  'tune-segmentation': () => import('./commands/tuneSegmentation.js').then((m) => ({ run: m.tuneSegmentationCommand })),
  report: () => import('./commands/report.js').then((m) => ({ run: m.reportCommand })),
  studio: () => import('./commands/studio.js').then((m) => ({ run: m.studioCommand })),
  ablate: () => import('./commands/ablate.js').then((m) => ({ run: m.ablateCommand })),
  mantra: () => import('./commands/mantra.js').then((m) => ({ run: m.mantraCommand })),
  combine: () => import('./commands/combine.js').then((m) => ({ run: m.combineCommand })),
  demo: () => import('./commands/demo.js').then((m) => ({ run: m.demoCommand })),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE.trimStart());
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`wildcat: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  try {
    chooseThreadWaiting(rest);
    // A worker started by `--nproc` dies with its launcher (src/cli/launch.ts).
    if (process.env[LAUNCHER_PID_VAR] !== undefined) (await import('./launch.js')).dieWithLauncher();
    const mod = await load();
    await mod.run!(rest);
    return 0;
  } catch (e) {
    const err = e as Error;
    if (e instanceof UsageError) {
      process.stderr.write(`wildcat ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`wildcat ${name}: error: ${err.message}\n`);
    if (process.env.WILDCAT_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
