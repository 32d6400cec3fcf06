// The default backbone initialisation: our Fashion-MNIST pre-training, run once per backbone
// shape and settings and cached (the papers start from ImageNet; this is its analogue here).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPretrainConfig, pretrainBackbone, type PretrainConfig } from '../train/pretrain.js';
import type { BackboneSpec } from '../wsl/buildWildcatNet.js';
import { cacheDir } from './paths.js';

/** The cache file of a pre-training configuration (its name encodes the settings). */
export function pretrainedPath(config: PretrainConfig): string {
  const key = createHash('sha256').update(JSON.stringify({ ...config, threads: 0 })).digest('hex').slice(0, 12);
  const b = config.backbone;
  return join(cacheDir(), 'pretrained', `resnet${b.depth}-w${b.widthMultiplier}-fmnist-${key}.safetensors`);
}

/**
 * Returns the pre-trained weights for this backbone, pre-training first when they are not
 * cached yet. Only the backbone shape matters (output stride is a dilation choice).
 */
export async function ensurePretrained(backbone: BackboneSpec, overrides: Partial<PretrainConfig> = {}, log: (m: string) => void = (m) => console.error(m)): Promise<string> {
  const config: PretrainConfig = { ...defaultPretrainConfig(), ...overrides, backbone: { ...backbone, outputStride: 32 } };
  const path = pretrainedPath(config);
  if (existsSync(path)) {
    log(`pre-trained backbone (cached): ${path}`);
    return path;
  }
  log(`pre-training resnet${backbone.depth} (width ×${backbone.widthMultiplier}) on single Fashion-MNIST items (${config.canvas} canvases), ${config.steps} steps; cached for later runs`);
  await pretrainBackbone(config, path, { log });
  return path;
}
