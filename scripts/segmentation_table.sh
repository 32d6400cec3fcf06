#!/bin/bash
# Regenerates the README's segmentation tables on the embedded scenes: for every trained run and
# class-map setting, tunes the background thresholds on val (`wildcat tune-segmentation`), then
# evaluates on test (`wildcat eval`, which scores the unsmoothed labels and every smoothing), and
# prints the two markdown tables (poolings x test scales; the stages of the pipeline on WILDCAT).
#
# usage: scripts/segmentation_table.sh DATA RUNS [THREADS]
#   DATA     the scenes, e.g. voc:.cache/scenes-2017-1200-200-500-192
#   RUNS     a folder holding the trained runs wildcat/ weldon/ max/ gap/ (wildcat train ... --out RUNS/<name>)
#   THREADS  libtorch threads (default 1; results do not depend on it beyond float rounding)
# Run after `make build`, from the repository root. Writes RUNS/segmentation-table/*.{json,txt}.
set -euo pipefail
DATA=${1:?usage: scripts/segmentation_table.sh DATA RUNS [THREADS]}
RUNS=${2:?usage: scripts/segmentation_table.sh DATA RUNS [THREADS]}
THREADS=${3:-1}
OUT="$RUNS/segmentation-table"
mkdir -p "$OUT"
wildcat() { node dist/src/cli/main.js "$@" --threads "$THREADS"; }

# name|run|flags: each row tunes with its flags, then evaluates with the same flags.
ROWS=(
  "wildcat single|wildcat|"
  "wildcat flip|wildcat|--scales 1 --flip"
  "wildcat multi|wildcat|--scales 0.5,1,1.5,2 --flip"
  "wildcat oquab|wildcat|--scales oquab"
  "weldon single|weldon|"
  "weldon flip|weldon|--scales 1 --flip"
  "weldon multi|weldon|--scales 0.5,1,1.5,2 --flip"
  "max single|max|"
  "max flip|max|--scales 1 --flip"
  "max multi|max|--scales 0.5,1,1.5,2 --flip"
  "max single link|max|--map-norm link"
  "max flip link|max|--map-norm link --scales 1 --flip"
  "gap single|gap|"
  "gap flip|gap|--scales 1 --flip"
  "gap multi|gap|--scales 0.5,1,1.5,2 --flip"
  # The stages, WILDCAT at one scale (the last row of this block is "wildcat single").
  "stage none 0.5|wildcat|--prior none --threshold 0.5"
  "stage weight 0.5|wildcat|--threshold 0.5"
  "stage none tuned|wildcat|--prior none"
  "stage weight global|wildcat|--threshold tuned-global"
  "stage threshold prior|wildcat|--prior threshold"
  "stage link|wildcat|--map-norm link --prior none"
  "stage link weight|wildcat|--map-norm link"
  "stage power|wildcat|--background power"
)
for row in "${ROWS[@]}"; do
  IFS='|' read -r name run flags <<< "$row"
  file="${name// /-}"
  # shellcheck disable=SC2086
  wildcat tune-segmentation --run "$RUNS/$run" --data "$DATA" --split val $flags > "$OUT/tune-$file.txt" 2>/dev/null
  # shellcheck disable=SC2086
  wildcat eval --run "$RUNS/$run" --data "$DATA" --split test $flags --out "$OUT/$file.json" > "$OUT/eval-$file.txt" 2>/dev/null
  echo "done: $name" >&2
done

node --input-type=module - "$OUT" <<'EOF'
import { readFileSync } from 'node:fs';
const out = process.argv[2];
const m = (name) => JSON.parse(readFileSync(`${out}/${name.replaceAll(' ', '-')}.json`, 'utf8'));
const f = (v) => (v === undefined || Number.isNaN(v) ? 'n/a' : (100 * v).toFixed(1));
const smoothings = ['none', 'slic', 'crf'];
const seg = (x) => smoothings.map((s) => f(x.segmentation?.bySmoothing[s]?.meanIoU));
const head = `| mIoU | +SLIC | +CRF |`;
console.log('| pooling | test scales | cls mAP | loc mAP ' + head);
console.log('|---|---|---|---|---|---|---|');
const scales = { single: '1', flip: '1 + flip', multi: '0.5,1,1.5,2 + flip', oquab: 'oquab (0.5…2.8)' };
for (const name of ['wildcat single', 'wildcat flip', 'wildcat multi', 'wildcat oquab', 'weldon single', 'weldon flip', 'weldon multi',
  'max single', 'max flip', 'max multi', 'max single link', 'max flip link', 'gap single', 'gap flip', 'gap multi']) {
  const [run, s, link] = name.split(' ');
  const x = m(name);
  console.log(`| ${run}${link ? ' (map-norm link)' : ''} | ${scales[s]} | ${f(x.mAP)} | ${f(x.locMAP)} | ${seg(x).join(' | ')} |`);
}
console.log('\n| stage (WILDCAT, scale 1) | map-norm | prior | background δ ' + head);
console.log('|---|---|---|---|---|---|---|');
const stages = [
  ['class maps alone', 'peak', 'none', '0.5 (untuned)', 'stage none 0.5'],
  ['+ image-level prior', 'peak', 'weight', '0.5 (untuned)', 'stage weight 0.5'],
  ['+ tuned global δ', 'peak', 'weight', 'global, val', 'stage weight global'],
  ['+ per-class δ_k (default)', 'peak', 'weight', 'per class, val', 'wildcat single'],
  ['prior off, δ_k tuned', 'peak', 'none', 'per class, val', 'stage none tuned'],
  ['prior as a class filter (p ≥ 0.5)', 'peak', 'threshold', 'per class, val', 'stage threshold prior'],
  ['(1 − max)^γ background', 'peak', 'weight', 'γ from global δ', 'stage power'],
  ['link normalization', 'link', 'none', 'per class, val', 'stage link'],
  ['link normalization + prior', 'link', 'weight', 'per class, val', 'stage link weight'],
];
for (const [what, norm, prior, bg, name] of stages) console.log(`| ${what} | ${norm} | ${prior} | ${bg} | ${seg(m(name)).join(' | ')} |`);
EOF
