// Optimizers and learning-rate schedules (exposed as the `optim` namespace).
export {
  Optimizer,
  type BaseHyperParams,
  type ParamGroup,
  type ResolvedGroup,
  type OptimizerStateDict,
  type OptimizerStateMeta,
  type ParamState,
} from './optimizer.js';
export { SGD, type SGDHyperParams, type SGDOptions } from './sgd.js';
export { Adam, AdamFamily, ADAM_DEFAULTS, type AdamHyperParams, type AdamOptions } from './adam.js';
export { AdamW, ADAMW_DEFAULTS } from './adamw.js';
export { LrSchedule, StepLR, MultiStepLR, CosineAnnealingLR, LinearWarmup, type ScheduledGroups } from './schedules.js';
