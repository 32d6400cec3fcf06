/**
 * A weight file (safetensors, PyTorch checkpoint, ZIP archive, pickle) that
 * cannot be read. The message starts with the file (`source`) and says what
 * is wrong and, where there is one, what to do about it.
 *
 * @example
 * try { parseSafetensors(bytes, 'resnet18.safetensors'); }
 * catch (e) { if (e instanceof WeightFileError) console.error(e.message); }
 */
export class WeightFileError extends Error {
  /** The file (or description of the bytes) that could not be read. */
  readonly source: string;
  /** The problem alone, without the file name prefix. */
  readonly problem: string;

  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'WeightFileError';
    this.source = source;
    this.problem = problem;
  }
}
