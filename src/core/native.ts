// Loads the N-API addon built from native/ (make native, or npm run build:native).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque handle to one at::Tensor reference owned by JS. */
export type Handle = { readonly __tensorHandle: unique symbol };
/** Opaque handle to a resolved ATen operator. */
export type OpHandle = { readonly __opHandle: unique symbol };

export interface NativeAddon {
  fromBuffer(data: ArrayBufferView, shape: number[], dtypeCode: number): Handle;
  toBuffer(h: Handle): ArrayBuffer;
  info(h: Handle): [number[], number, boolean, string];
  dispose(h: Handle): void;
  isDisposed(h: Handle): boolean;
  setRequiresGrad(h: Handle, on: boolean): void;
  requiresGrad(h: Handle): boolean;
  isLeaf(h: Handle): boolean;
  grad(h: Handle): Handle | null;
  setGrad(h: Handle, g: Handle | null): void;
  backward(h: Handle, grad: Handle | null, retainGraph: boolean): void;
  autogradGrad(outputs: Handle[], inputs: Handle[], gradOutputs: Handle[] | null, retainGraph: boolean, allowUnused: boolean): (Handle | null)[];
  setGradEnabled(on: boolean): void;
  isGradEnabled(): boolean;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  version(): { torch: string; parallel: string; config: string };
  memory(): { tensors: number; bytes: number };
  resolveOp(name: string, overload: string): [OpHandle, string];
  callOp(op: OpHandle, args: unknown[]): unknown;
  samePointer(a: Handle, b: Handle): boolean;
  /** Every operator the dispatcher knows, as [name, overload] (for the op() audit). */
  listOps(): [string, string][];
}

function packageRoot(): string {
  // dist/src/core/native.js or src/core/native.ts -> package root holds native/.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('wildcat-ts: cannot find the package root (native/binding.gyp) above ' + fileURLToPath(import.meta.url));
}

function load(): NativeAddon {
  const root = packageRoot();
  const path = process.env.WILDCAT_NATIVE ?? join(root, 'native', 'build', 'Release', 'wildcat_native.node');
  if (!existsSync(path)) {
    throw new Error(`wildcat-ts: the native addon is not built (${path} is missing). Run \`make native\` (installs libtorch-dev and builds it).`);
  }
  const require = createRequire(import.meta.url);
  try {
    return require(path) as NativeAddon;
  } catch (e) {
    throw new Error(`wildcat-ts: cannot load the native addon ${path}: ${(e as Error).message}. ` +
      'Is libtorch installed (apt-get install libtorch-dev) and the addon built against it (make native)?');
  }
}

/** The addon instance of this thread (context-aware: each worker thread gets its own). */
export const native: NativeAddon = load();
