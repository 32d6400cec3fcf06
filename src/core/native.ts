// Loads the N-API addon built from native/ by native/build.cjs (make native in a clone; npm's
// install hook, or the first use, in an installed package).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isSourceCheckout, packageRoot } from './packageRoot.js';

/** Opaque handle to one at::Tensor reference owned by JS. */
export type Handle = { readonly __tensorHandle: unique symbol };
/** Opaque handle to a resolved ATen operator. */
export type OpHandle = { readonly __opHandle: unique symbol };
/** Opaque handle to a c10d process group (native/distributed.cc). */
export type GroupHandle = { readonly __groupHandle: unique symbol };
/** A prepacked oneDNN convolution (native/prepackedConv.cc). */
export type ConvContextHandle = { readonly __convContextHandle: unique symbol };

/** The process-group functions of native/distributed.cc (c10d, Gloo); each settles a promise. */
export interface DistributedNative {
  init(opts: { rank: number; size: number; masterAddr?: string; masterPort?: number; fileStore?: string; timeoutMs: number }): Promise<GroupHandle>;
  allReduce(g: GroupHandle, tensors: Handle[], op: string, bucketBytes: number): Promise<void>;
  broadcast(g: GroupHandle, tensors: Handle[], src: number, bucketBytes: number): Promise<void>;
  barrier(g: GroupHandle): Promise<void>;
  allGather(g: GroupHandle, bytes: Uint8Array): Promise<ArrayBuffer[]>;
  destroy(g: GroupHandle): Promise<void>;
}

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
  /** Every operator the dispatcher knows, as [name, overload] (for the op() audit). */
  listOps(): [string, string][];
  distributed: DistributedNative;
  /** Dense CRF mean field (native/denseCrf.cc); src/segment/denseCrf.ts checks the inputs first. */
  denseCrf(image: Uint8Array, width: number, height: number, channels: number, probabilities: Float32Array, labels: number, params: DenseCrfNativeParams): DenseCrfNativeResult;
  /** Whether the tensor is dense in a memory format's order (native/memoryFormat.cc; codes of src/core/memoryFormat.ts). */
  isContiguous(h: Handle, formatCode: number): boolean;
  /** Element strides per dimension. */
  strides(h: Handle): number[];
  /** Sizes the BLAS library's own thread pool (native/blasThreads.cc); false when no known BLAS is loaded. */
  setBlasThreads(n: number): boolean;
  /** Which BLAS pool setBlasThreads controls, and its size. */
  blasInfo(): { library: string | null; threads: number | null };
  /** denseCrf on libuv's thread pool. */
  denseCrfAsync(image: Uint8Array, width: number, height: number, channels: number, probabilities: Float32Array, labels: number, params: DenseCrfNativeParams): Promise<DenseCrfNativeResult>;
  /**
   * prctl(PR_SET_PDEATHSIG) (native/parentDeath.cc): the kernel sends `signal` to this process
   * when its parent exits. 'parent-gone' (and nothing armed) when `parentPid` is not the parent
   * (it exited first: no signal would come); 'unsupported' off Linux.
   */
  signalOnParentDeath(signal: number, parentPid: number): 'armed' | 'parent-gone' | 'unsupported';
  /** Whether libtorch has the prepacked oneDNN convolution (native/prepackedConv.cc). */
  prepackedConvAvailable(): boolean;
  /** Packs a float32 convolution's weights for inputs of exactly `inputSize`, optionally with a fused ReLU. */
  convPrepack(weight: Handle, bias: Handle | null, stride: number[], padding: number[], dilation: number[], groups: number, inputSize: number[], activation: 'none' | 'relu'): ConvContextHandle;
  /** Runs a packed convolution (no autograd); the output takes the input's memory format. */
  convRun(input: Handle, context: ConvContextHandle): Handle;
  /** Frees a packed convolution's weights now. */
  convRelease(context: ConvContextHandle): void;
  /** The tensor's version counter (bumped by every in-place write). */
  tensorVersion(h: Handle): number;
}

/** The dense CRF's parameters as the addon takes them: absolute σs (pixels, intensity units). */
export interface DenseCrfNativeParams {
  iterations: number;
  gaussianSxy: number;
  gaussianWeight: number;
  bilateralSxy: number;
  bilateralSrgb: number;
  bilateralWeight: number;
  minProbability: number;
  energy: boolean;
}

/** The dense CRF's result as the addon returns it. */
export interface DenseCrfNativeResult {
  probabilities: Float32Array;
  labels: Uint8Array | Uint16Array;
  energy: Float64Array | null;
}

const APT_PACKAGES = 'libtorch-dev libopenblas0-pthread libgloo-dev';

/** Why a built addon did not load, in words, from the loader's message. */
function loadFailureReason(message: string): string {
  if (/NODE_MODULE_VERSION/.test(message)) return `it was built for another version of Node (this is ${process.version})`;
  if (/cannot open shared object file/.test(message)) return 'a shared library it needs is missing (was libtorch removed or upgraded?)';
  return 'the loader refused it';
}

/**
 * Builds the addon of an installed package whose install hook did not run (npm skips a
 * dependency's install script when the project denies it or installs with --ignore-scripts):
 * one progress line, then native/build.cjs, the same build as npm's hook and `make native`.
 */
function buildOnFirstUse(root: string, path: string): void {
  process.stderr.write('wildcat-ts: building the native addon against libtorch, once (it was not built at install time)…\n');
  const started = Date.now();
  const build = spawnSync(process.execPath, [join(root, 'native', 'build.cjs'), '--first-use'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (build.status !== 0 || !existsSync(path)) {
    const why = (build.stderr || build.error?.message || `the build exited with ${build.status ?? build.signal}`).trim();
    throw new Error(`wildcat-ts: the native addon is not built (${path} is missing) and building it failed.\n${why}`);
  }
  process.stderr.write(`wildcat-ts: native addon built in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

function load(): NativeAddon {
  const root = packageRoot();
  const checkout = isSourceCheckout(root);
  const given = process.env.WILDCAT_NATIVE;
  const path = given ?? join(root, 'native', 'build', 'Release', 'wildcat_native.node');
  if (!existsSync(path)) {
    if (given) throw new Error(`wildcat-ts: WILDCAT_NATIVE=${given} does not exist. Unset it to use the package's own addon, or point it at a built wildcat_native.node.`);
    if (checkout) {
      throw new Error(`wildcat-ts: the native addon is not built (${path} is missing). ` +
        `Run \`make\` in ${root}: it installs the Debian packages (${APT_PACKAGES}) and builds it.`);
    }
    buildOnFirstUse(root, path);
  }
  const require = createRequire(import.meta.url);
  try {
    return require(path) as NativeAddon;
  } catch (e) {
    const message = (e as Error).message;
    const fix = checkout
      ? `Rebuild it: \`make native\` in ${root}.`
      : `Rebuild it: sudo apt-get install ${APT_PACKAGES}, then \`npm rebuild wildcat-ts\` ` +
        `(or \`node ${join(root, 'native', 'build.cjs')}\` if your project does not allow the package's install script).`;
    throw new Error(`wildcat-ts: cannot load the native addon ${path}: ${loadFailureReason(message)}. ${fix}\nLoader: ${message}`);
  }
}

/** The addon instance of this thread (context-aware: each worker thread gets its own). */
export const native: NativeAddon = load();
