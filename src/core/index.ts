// The core layer: tensors on libtorch. Importing this module installs every Tensor method.
import './ops/shape.js';
import './ops/elementwise.js';
import './ops/reduction.js';
import './ops/linalg.js';
import './ops/indexing.js';
import './ops/inplace.js';

export { Tensor, isTensor } from './tensor.js';
export type { DType, AnyTypedArray } from './dtype.js';
export { DTYPES, isFloating, bytesPerElement } from './dtype.js';
export { tidy, keep, observeTensorCreation } from './scope.js';
export {
  MEMORY_FORMATS, memoryFormatCode, autoMemoryFormat, setMemoryFormat, preferredMemoryFormat, type MemoryFormat, type MemoryFormatChoice,
} from './memoryFormat.js';
export type { ContiguousOptions } from './ops/shape.js';
export { op, schemaOf, type OpFn } from './dispatch.js';
export { noGrad, enableGrad, isGradEnabled, grad } from './grad.js';
export {
  DataFileError, describeValue, invalidType, outOfRange, expectNumber, expectInteger, expectBoolean, expectString, expectOneOf,
  type NumberRange,
} from './errors.js';
export { PrepackedConv2d, prepackedConvAvailable, tensorVersion, type ConvActivation, type ConvGeometry } from './prepackedConv.js';
export { memory, setNumThreads, getNumThreads, defaultNumThreads, manualSeed, engineVersion } from './runtime.js';
export {
  setThreadAdaptation, adaptThreads, threadAdaptationEnabled, adaptedThreadCount, THREAD_ADAPTATION_WINDOW_MS, THREAD_ADAPTATION_WINDOWS,
  type ThreadChange, type ThreadAdaptationOptions,
} from './threadAdaptation.js';
export { readCpuTimes, parseProcStat, parseSelfStat, othersCores, type CpuTimes } from './cpuTimes.js';
export * from './ops/creation.js';
export { cat, stack } from './ops/shape.js';
export { where } from './ops/elementwise.js';
export { linear } from './ops/linalg.js';
