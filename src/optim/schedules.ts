// Learning-rate schedules as pure functions of the step: lrAt(step, baseLr) has no state, so a
// resumed run sets the lr of any step directly. A step is whatever unit the caller counts
// (epochs or iterations); fractional steps are allowed (epoch + i / itersPerEpoch gives a
// per-iteration cosine while step schedules still switch at epoch boundaries).
// Each group's lr is its own initialLr scaled by the schedule, so the ratio between groups
// (e.g. pre-trained backbone at 0.1× the new layers) is preserved.

/** What a schedule needs from an optimizer: groups with a current and a base learning rate. */
export interface ScheduledGroups {
  paramGroups: Array<{ lr: number; initialLr: number }>;
}

export abstract class LrSchedule {
  /** The learning rate at `step` (>= 0, may be fractional) of a group whose base lr is baseLr. */
  abstract lrAt(step: number, baseLr: number): number;

  /** The learning rates at `step` for several base rates. */
  lrsAt(step: number, baseLrs: number[]): number[] {
    return baseLrs.map((b) => this.lrAt(step, b));
  }

  /**
   * Sets every group's lr to lrAt(step, group.initialLr); returns the new rates.
   * @example for (let epoch = start; epoch < epochs; epoch++) { schedule.apply(opt, epoch); trainOneEpoch(); }
   */
  apply(optimizer: ScheduledGroups, step: number): number[] {
    return optimizer.paramGroups.map((g) => (g.lr = this.lrAt(step, g.initialLr)));
  }
}

function checkStep(step: number, who: string): void {
  if (!(step >= 0) || !Number.isFinite(step)) throw new RangeError(`${who}.lrAt: step must be a finite number >= 0, got ${step}`);
}

/**
 * Multiplies the lr by gamma every stepSize steps (torch StepLR): base·gamma^floor(step/stepSize).
 * @example new StepLR({ stepSize: 30, gamma: 0.1 }).lrAt(65, 0.1) // 0.001
 */
export class StepLR extends LrSchedule {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(opts: { stepSize: number; gamma?: number }) {
    super();
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    if (!(this.stepSize > 0)) throw new RangeError(`StepLR: stepSize must be > 0, got ${opts.stepSize}`);
    if (!(this.gamma >= 0)) throw new RangeError(`StepLR: gamma must be >= 0, got ${opts.gamma}`);
  }

  lrAt(step: number, baseLr: number): number {
    checkStep(step, 'StepLR');
    return baseLr * this.gamma ** Math.floor(step / this.stepSize);
  }
}

/**
 * Multiplies the lr by gamma at each milestone reached (torch MultiStepLR): from step
 * milestones[k] on, base·gamma^(k+1).
 * @example new MultiStepLR({ milestones: [20, 40], gamma: 0.1 }).lrAt(20, 1) // 0.1
 */
export class MultiStepLR extends LrSchedule {
  readonly milestones: readonly number[];
  readonly gamma: number;

  constructor(opts: { milestones: number[]; gamma?: number }) {
    super();
    if (!Array.isArray(opts.milestones) || opts.milestones.some((m) => !(m >= 0))) {
      throw new RangeError(`MultiStepLR: milestones must be an array of numbers >= 0, got ${JSON.stringify(opts.milestones)}`);
    }
    // torch counts a repeated milestone twice; sorting keeps that behaviour and any order works.
    this.milestones = Object.freeze(opts.milestones.slice().sort((a, b) => a - b));
    this.gamma = opts.gamma ?? 0.1;
    if (!(this.gamma >= 0)) throw new RangeError(`MultiStepLR: gamma must be >= 0, got ${opts.gamma}`);
  }

  lrAt(step: number, baseLr: number): number {
    checkStep(step, 'MultiStepLR');
    let passed = 0;
    for (const m of this.milestones) if (step >= m) passed++;
    return baseLr * this.gamma ** passed;
  }
}

/**
 * Cosine decay from base to etaMin over tMax steps (torch CosineAnnealingLR, closed form):
 * etaMin + (base − etaMin)·(1 + cos(π·step/tMax))/2. etaMin is an absolute rate shared by all
 * groups, as in torch. Past tMax the lr is held at etaMin (torch's formula would rise again,
 * which is never what a run past its planned length wants).
 * @example new CosineAnnealingLR({ tMax: 100 }).lrAt(50, 0.1) // 0.05
 */
export class CosineAnnealingLR extends LrSchedule {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(opts: { tMax: number; etaMin?: number }) {
    super();
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
    if (!(this.tMax > 0)) throw new RangeError(`CosineAnnealingLR: tMax must be > 0, got ${opts.tMax}`);
    if (!(this.etaMin >= 0)) throw new RangeError(`CosineAnnealingLR: etaMin must be >= 0, got ${opts.etaMin}`);
  }

  lrAt(step: number, baseLr: number): number {
    checkStep(step, 'CosineAnnealingLR');
    const t = Math.min(step, this.tMax);
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

/**
 * Linear warm-up, then another schedule (torch LinearLR followed by SequentialLR): for
 * step < steps the lr is base·(startFactor + (1 − startFactor)·step/steps); from `steps` on it
 * is then.lrAt(step − steps, base), or base when there is no `then` (so a cosine after the
 * warm-up starts at its own step 0: give it tMax = total − warm-up steps).
 * @example new LinearWarmup({ steps: 5, startFactor: 0.1, then: new CosineAnnealingLR({ tMax: 95 }) })
 */
export class LinearWarmup extends LrSchedule {
  readonly steps: number;
  readonly startFactor: number;
  readonly then: LrSchedule | undefined;

  constructor(opts: { steps: number; startFactor?: number; then?: LrSchedule }) {
    super();
    this.steps = opts.steps;
    this.startFactor = opts.startFactor ?? 1 / 3;
    this.then = opts.then;
    if (!(this.steps > 0)) throw new RangeError(`LinearWarmup: steps must be > 0, got ${opts.steps}`);
    if (!(this.startFactor >= 0 && this.startFactor <= 1)) throw new RangeError(`LinearWarmup: startFactor must be in [0, 1], got ${opts.startFactor}`);
  }

  lrAt(step: number, baseLr: number): number {
    checkStep(step, 'LinearWarmup');
    if (step < this.steps) return baseLr * (this.startFactor + ((1 - this.startFactor) * step) / this.steps);
    return this.then === undefined ? baseLr : this.then.lrAt(step - this.steps, baseLr);
  }
}
