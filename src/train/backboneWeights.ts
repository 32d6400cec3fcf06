// Loading pre-trained weights into a backbone by parameter name (torchvision's names): our own
// pre-training checkpoints, torchvision `.pth` state dicts and `.safetensors` files alike.
import { tidy, type Tensor } from '../core/index.js';
import type { ResNet } from '../nn/index.js';
import { loadCheckpoint, disposeCheckpoint } from './checkpoint.js';

/**
 * Loads the weights at `path` into `backbone`. The classifier (`fc.*`) of the source is
 * ignored (the WSL network replaces it); every other backbone tensor must be present with the
 * right shape, otherwise nothing is loaded and the error lists what differs.
 * Returns the ignored keys.
 */
export function loadBackboneWeights(backbone: ResNet, path: string): string[] {
  const ckpt = loadCheckpoint(path);
  try {
    const dict = new Map<string, Tensor>();
    const ignored: string[] = [];
    for (const [k, t] of ckpt.model) {
      // Our WSL checkpoints prefix the backbone; accept them as a source too.
      const key = k.startsWith('backbone.') ? k.slice(9) : k;
      if (key.startsWith('fc.') || k.startsWith('classifier.')) ignored.push(k);
      else dict.set(key, t);
    }
    // Check for missing tensors before loading anything: loadStateDict with strict: false would
    // load the present ones and leave a half-initialised backbone behind the error.
    const missing = tidy(() => [...backbone.stateDict().keys()]).filter((k) => !dict.has(k) && !k.endsWith('num_batches_tracked'));
    if (missing.length > 0) {
      throw new Error(`${path}: these backbone weights are missing (${missing.length}): ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}. ` +
        'Is it a ResNet of the same depth and width (--backbone, --width)? Nothing was loaded.');
    }
    let unexpectedKeys: string[];
    try {
      ({ unexpectedKeys } = tidy(() => backbone.loadStateDict(dict, { strict: false })));
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}\n  Is it a ResNet of the same depth and width (--backbone, --width)?`);
    }
    return [...ignored, ...unexpectedKeys];
  } finally {
    disposeCheckpoint(ckpt);
  }
}
