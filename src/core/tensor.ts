import { native, type Handle } from './native.js';
import { track } from './scope.js';
import { fromNativeCode, typedArrayFromBytes, type AnyTypedArray, type DType } from './dtype.js';

/**
 * An n-dimensional array held by libtorch. Operations are methods (installed by the op
 * families in ./ops/) and run synchronously, recording autograd when an input requires grad.
 * Memory is released by `dispose()` or by the enclosing `tidy()`; the GC is only a fallback.
 */
export class Tensor {
  /** @internal */ readonly __isTensor = true;
  #handle: Handle;
  #shape: number[] | undefined;
  #dtype: DType | undefined;
  #disposed = false;

  /** @internal Use the creation functions (`tensor`, `zeros`, ...) instead. */
  constructor(handle: Handle) {
    this.#handle = handle;
    track(this);
  }

  /** @internal */
  static fromHandle(h: Handle): Tensor {
    return new Tensor(h);
  }

  /** @internal The native handle; throws a TypeError if disposed (as the addon does: src/core/errors.ts). */
  get handle(): Handle {
    if (this.#disposed) throw new TypeError(`Tensor${this.#describe()} was used after dispose()`);
    return this.#handle;
  }

  /** @internal Forgets the cached shape and dtype (an in-place op may have changed them). */
  refreshInfo(): void {
    this.#shape = undefined;
    this.#dtype = undefined;
  }

  #describe(): string {
    return this.#shape ? `[${this.#shape.join(', ')}] ${this.#dtype}` : '';
  }

  #info(): void {
    const [shape, code] = native.info(this.handle);
    this.#shape = shape;
    this.#dtype = fromNativeCode(code);
  }

  /** Sizes of each dimension. */
  get shape(): number[] {
    if (this.#shape === undefined) this.#info();
    return this.#shape!.slice();
  }

  /** Number of dimensions. */
  get rank(): number {
    if (this.#shape === undefined) this.#info();
    return this.#shape!.length;
  }

  /** Number of elements. */
  get size(): number {
    if (this.#shape === undefined) this.#info();
    let n = 1;
    for (const s of this.#shape!) n *= s;
    return n;
  }

  get dtype(): DType {
    if (this.#dtype === undefined) this.#info();
    return this.#dtype!;
  }

  get device(): string {
    return native.info(this.handle)[3];
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Drops this handle's reference to the data. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    native.dispose(this.#handle);
  }

  /** Copies the elements out, row-major; int64 arrives as BigInt64Array, float16 and bfloat16 as Float32Array (exact). */
  toArray(): AnyTypedArray {
    return typedArrayFromBytes(this.dtype, native.toBuffer(this.handle));
  }

  /** Copies the elements out as plain numbers (int64 converted with Number()). */
  toNumbers(): number[] {
    const a = this.toArray();
    return a instanceof BigInt64Array ? Array.from(a, Number) : Array.from(a as ArrayLike<number>);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item(): tensor has ${this.size} elements, shape [${this.shape.join(', ')}]; expected exactly 1`);
    const a = this.toArray();
    return a instanceof BigInt64Array ? Number(a[0]) : (a as ArrayLike<number>)[0]!;
  }

  // ---- autograd ------------------------------------------------------------------------

  get requiresGrad(): boolean {
    return native.requiresGrad(this.handle);
  }

  set requiresGrad(on: boolean) {
    native.setRequiresGrad(this.handle, on);
  }

  /** Marks this (leaf) tensor as requiring grad; returns it for chaining. */
  requiresGrad_(on = true): this {
    native.setRequiresGrad(this.handle, on);
    return this;
  }

  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }

  /** The accumulated gradient as a new handle (owned by the current scope), or null. */
  get grad(): Tensor | null {
    const g = native.grad(this.handle);
    return g === null ? null : new Tensor(g);
  }

  /** Replaces the gradient; null clears it. */
  set grad(g: Tensor | null) {
    native.setGrad(this.handle, g === null ? null : g.handle);
  }

  /** Back-propagates from this tensor (a scalar unless `gradient` is given). */
  backward(gradient?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    native.backward(this.handle, gradient ? gradient.handle : null, opts.retainGraph ?? false);
  }

  toString(): string {
    if (this.#disposed) return 'Tensor(disposed)';
    const n = this.size;
    const vals = n <= 20 ? `, ${JSON.stringify(this.toNumbers().map((v) => +v.toFixed(4)))}` : '';
    return `Tensor([${this.shape.join(', ')}], ${this.dtype}${vals})`;
  }
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}
