/**
 * Format detection and one entry point for the weight files we read:
 * safetensors and PyTorch (zip) checkpoints. Works on bytes; reading the file
 * and converting RawTensors to engine Tensors happen in the layer's glue.
 */
import { isLegacyTorchFile, readPytorchCheckpoint, type PytorchCheckpointOptions } from './pytorchCheckpoint.js';
import type { RawStateDict } from './rawTensor.js';
import { parseSafetensors } from './safetensors.js';
import { WeightFileError } from './weightFileError.js';
import { looksLikeZip } from './zipArchive.js';

/** A weight-file format recognised from the first bytes. */
export type WeightFileFormat = 'safetensors' | 'pytorch' | 'pytorch-legacy' | 'unknown';

/**
 * The format of `bytes` judged from their start: a ZIP archive is taken
 * for a PyTorch checkpoint, a u64 length followed by '{' for safetensors.
 */
export function detectWeightFileFormat(bytes: Uint8Array): WeightFileFormat {
  if (looksLikeZip(bytes)) return 'pytorch';
  if (isLegacyTorchFile(bytes)) return 'pytorch-legacy';
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b /* { */ && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  return 'unknown';
}

/** What {@link parseWeightFile} returns. */
export interface WeightFileContents {
  format: 'safetensors' | 'pytorch';
  tensors: RawStateDict;
  /** safetensors `__metadata__`; {} for PyTorch checkpoints. */
  metadata: Record<string, string>;
}

/**
 * Parse a safetensors file or a PyTorch checkpoint, whichever `bytes` are.
 *
 * @example
 * const { tensors } = parseWeightFile(readFileSync(p), p);
 */
export function parseWeightFile(bytes: Uint8Array, source = 'weight file', options: PytorchCheckpointOptions = {}): WeightFileContents {
  switch (detectWeightFileFormat(bytes)) {
    case 'safetensors': {
      const { tensors, metadata } = parseSafetensors(bytes, source, { limits: options.limits });
      return { format: 'safetensors', tensors, metadata };
    }
    case 'pytorch':
    case 'pytorch-legacy':
      return { format: 'pytorch', tensors: readPytorchCheckpoint(bytes, source, options).tensors, metadata: {} };
    default:
      throw new WeightFileError(source, bytes.byteLength === 0
        ? 'file is empty'
        : 'unrecognised weight file: neither safetensors (u64 header length + JSON) nor a PyTorch checkpoint (ZIP archive)');
  }
}
