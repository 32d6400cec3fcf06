// Training, inference and evaluation pipelines over the WSL network.
export {
  trainWsl, trainStep, checkRunFolder, wslOptimizer, wslSchedule, wslLoss, NonFiniteLossError, RUN_FILES,
  type TrainWslOptions, type TrainWslResult, type TrainStepInfo, type CheckpointMeta, type LossFn,
} from './wslTrainer.js';
export { defaultWslConfig, autoEpochs, AUTO_EPOCHS, type WslTrainConfig, type WslLoss } from './wslConfig.js';
export {
  pretrainBackbone, defaultPretrainConfig, pretrainOptimizer, pretrainSchedule, pretrainStep, pretrainStyles,
  type PretrainCanvas, type PretrainConfig, type PretrainResult,
} from './pretrain.js';
export { predictImages, type Predictions, type PredictOptions } from './predict.js';
export { evaluatePredictions, classificationMetrics, annotatedImages, type WslMetrics } from './evaluatePredictions.js';
export { saveCheckpoint, loadCheckpoint, disposeCheckpoint, type CheckpointContents } from './checkpoint.js';
export { loadBackboneWeights } from './backboneWeights.js';
export { loadRun, DEFAULT_CHECKPOINT, RUN_CHECKPOINTS, type RunCheckpoint } from './loadRun.js';
export { openDataset, openVocSplit, parseDatasetSpec, type DatasetSpec } from './datasetSpec.js';
export { Progress, formatProgress, formatDuration, type ProgressState } from './progress.js';
export { RunLog } from './runLog.js';
export { evaluateSplit, runSegmentationSettings, runSegmentationStages, scoreLinkOf, tuneSegmentationThresholds, tuneRunThresholds, type TuningResult } from './runSegmentation.js';
