// The distributed layer: c10d process groups (Gloo) and data-parallel training on them.
// Sits above nn/optim/io (it replicates modules) and below train (which uses it).
export { ProcessGroup, DistributedError, DEFAULT_TIMEOUT_MS, DEFAULT_BUCKET_BYTES, checkInitOptions, type InitOptions, type ReduceOp } from './processGroup.js';
export { init, defaultGroup, isInitialized, allReduce, broadcast, barrier, allGather, destroy } from './defaultGroup.js';
export { DataParallel, type DataParallelOptions } from './dataParallel.js';
export { launchEnvFrom, LAUNCH_VARS, LAUNCHER_PID_VAR, type LaunchEnv } from './launchEnv.js';
export { broadcastOptimizerState, type StatefulOptimizer } from './optimizerState.js';
export { runOnRank0, agree } from './consensus.js';
