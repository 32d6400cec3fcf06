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
