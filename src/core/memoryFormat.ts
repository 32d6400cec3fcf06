// Memory formats: the order in which a 4-D tensor [N, C, H, W] lays its elements out in memory.
// The shape and the indexing stay NCHW whatever the format (as in PyTorch); only the strides differ.
import { native } from './native.js';
import { outOfRange } from './errors.js';

/**
 * 'contiguous': NCHW order, each channel a plane (libtorch's default);
 * 'channelsLast': NHWC order, the C values of a pixel side by side (PyTorch's
 * `torch.channels_last`). oneDNN's convolutions are fastest on channels-last tensors on most CPUs.
 */
export type MemoryFormat = 'contiguous' | 'channelsLast';

export const MEMORY_FORMATS: readonly MemoryFormat[] = ['contiguous', 'channelsLast'];

// c10::MemoryFormat values (native/memoryFormat.cc, and schemas' `MemoryFormat memory_format`).
const CODES: Record<MemoryFormat, number> = { contiguous: 0, channelsLast: 2 };

/** The c10::MemoryFormat code of a format, for operators that take one. */
export function memoryFormatCode(format: MemoryFormat, what = 'memoryFormat'): number {
  const code = CODES[format];
  if (code === undefined) throw outOfRange(what, `one of ${MEMORY_FORMATS.map((f) => `'${f}'`).join(', ')}`, format);
  return code;
}

/** @internal Whether a tensor handle is dense in `format`'s order. */
export function isContiguousIn(handle: Parameters<typeof native.isContiguous>[0], format: MemoryFormat): boolean {
  return native.isContiguous(handle, memoryFormatCode(format, 'isContiguous() argument format'));
}

/** A memory format, or 'auto': the faster one on this libtorch ({@link autoMemoryFormat}). */
export type MemoryFormatChoice = MemoryFormat | 'auto';

let preferred: MemoryFormat = 'contiguous';
let onFirstUse: (() => void) | null = null;

/**
 * The layout 'auto' picks, and why: channels-last when libtorch carries oneDNN (MKL-DNN), whose
 * convolutions run on NHWC data without reordering it; contiguous otherwise. Measured on a 2-core
 * VM with Debian's libtorch 1.13 (oneDNN 2.6), channels-last was faster for every network timed:
 * ResNet-18/50 training and inference at 224 px, the default WSL step, the pre-training step
 * (`npm run bench:engine`, `npm run bench:wsl`; figures in the README's Speed section).
 */
export function autoMemoryFormat(): { format: MemoryFormat; reason: string } {
  const v = native.version();
  const oneDnn = /MKL-DNN|oneDNN/i.test(v.parallel) || /USE_MKLDNN=(ON|1)/.test(v.config);
  return oneDnn
    ? { format: 'channelsLast', reason: 'libtorch has oneDNN, whose convolutions measured faster on channels-last data' }
    : { format: 'contiguous', reason: 'libtorch has no oneDNN, so channels-last would not make its convolutions faster' };
}

/**
 * Sets the layout that networks built from a description take (WildcatNet from a run or a
 * config, the pre-training backbone): the process-wide counterpart of `Module.to({ memoryFormat })`,
 * like setNumThreads for threads. Default 'contiguous' (PyTorch's); the CLI's `--memory-format`
 * defaults to 'auto'. Returns the layout chosen and, for 'auto', why. `opts.onFirstUse` runs once,
 * when a network is first built in that layout (the CLI says there what 'auto' picked: after the
 * checks of its arguments, not before an error message).
 */
export function setMemoryFormat(choice: MemoryFormatChoice, opts: { onFirstUse?: () => void } = {}): { format: MemoryFormat; reason: string | null } {
  const chosen = choice === 'auto' ? autoMemoryFormat() : { format: choice, reason: null };
  if (choice !== 'auto') memoryFormatCode(choice, 'setMemoryFormat() argument');
  preferred = chosen.format;
  onFirstUse = opts.onFirstUse ?? null;
  return chosen;
}

/** The layout set by {@link setMemoryFormat} ('contiguous' unless set). */
export function preferredMemoryFormat(): MemoryFormat {
  const first = onFirstUse;
  onFirstUse = null;
  first?.();
  return preferred;
}
