/**
 * Weight-file formats, byte level: safetensors, PyTorch zip checkpoints
 * (ZIP reader + restricted unpickler), and the engine-independent RawTensor
 * they exchange. The glue to engine Tensors builds on these.
 */
export * from './rawTensor.js';
export { WeightFileError } from './weightFileError.js';
export {
  inputLimits, parseLimits, checkLimit, InputLimitError, DEFAULT_INPUT_LIMITS, LIMITS_ENV, type InputLimits,
} from './inputLimits.js';
export { parseSafetensors, serializeSafetensors, safetensorsDtypeCode, SAFETENSORS_MAX_HEADER_BYTES, type SafetensorsContents, type SafetensorsOptions } from './safetensors.js';
export { ZipArchive, looksLikeZip, crc32, type ZipEntry, type ZipReadOptions } from './zipArchive.js';
export {
  unpickle, callPickleGlobal, isPickleTuple, BASIC_PICKLE_GLOBALS,
  PickleDict, PickleOpaque, PickleGlobalRef, type PickleGlobal, type UnpickleOptions,
} from './pickle.js';
export {
  torchPickleGlobals, torchPersistentLoad, materializeTorchTensor, gatherStrided, swapBytes,
  TorchStorageRef, TorchTensorRef, type TorchTypeMarker, type StorageLoader, type MaterializeOptions,
} from './torchPickle.js';
export {
  parsePytorchCheckpoint, readPytorchCheckpoint, isLegacyTorchFile,
  type PytorchCheckpointOptions, type PytorchCheckpointContents,
} from './pytorchCheckpoint.js';
export { detectWeightFileFormat, parseWeightFile, type WeightFileFormat, type WeightFileContents } from './weightFile.js';
export { rawToTensor, tensorToRaw, loadTensors, saveTensors, rawDictToTensors } from './tensorFiles.js';
export { writeFileAtomic, removeStaleTempFiles } from './atomicWrite.js';
