import { DataFileError } from '../core/errors.js';

/**
 * A weight file (safetensors, PyTorch checkpoint, ZIP archive, pickle) that
 * cannot be read: a {@link DataFileError} whose message starts with the file
 * (`source`) and says what is wrong and, where there is one, what to do about it.
 *
 * @example
 * try { parseSafetensors(bytes, 'resnet18.safetensors'); }
 * catch (e) { if (e instanceof WeightFileError) console.error(e.message); }
 */
export class WeightFileError extends DataFileError {
  /** The file (or description of the bytes) that could not be read; the same as `file`. */
  readonly source: string;

  constructor(source: string, problem: string) {
    super(source, problem);
    this.name = 'WeightFileError';
    this.source = source;
  }
}
