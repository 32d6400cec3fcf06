// One colour per class for boxes and labels, the same in the report and the studio.

/** Distinct box colours per class (Tableau 10), cycled. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The colour of class `cls` (grey for -1, a name outside the class list). */
export function classColor(cls: number): string {
  return cls < 0 ? '#888888' : PALETTE[cls % PALETTE.length]!;
}
