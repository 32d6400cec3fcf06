// The Module base class: a tree of layers owning parameters and buffers, with PyTorch's
// naming (dotted paths), train/eval mode and state dicts.
import { Tensor, keep, noGrad, isFloating, memoryFormatCode, type DType, type MemoryFormat } from '../core/index.js';

/** A state dict: tensor by dotted name ('layer1.0.conv1.weight'). */
export type StateDict = Map<string, Tensor>;

/** Options of {@link Module.to}. */
export interface ModuleToOptions {
  /** Floating-point dtype of parameters and floating buffers. */
  dtype?: DType;
  /** Layout of 4-D parameters and buffers (convolution weights): 'channelsLast' for NHWC-ordered inputs. */
  memoryFormat?: MemoryFormat;
}

/** What {@link Module.loadStateDict} reports (keys left out when `strict` is false). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * Base class of every layer and model. A module owns the tensors registered on it: parameters
 * (leaf tensors with requiresGrad, trained by optimizers) and buffers (state such as BatchNorm's
 * running statistics), plus child modules. Registered tensors are `keep()`-ed, so no `tidy()`
 * disposes them; `dispose()` releases them all.
 *
 * Register in the constructor; each register call also installs a property of that name, so
 * `this.weight` reads the registry and assigning `this.weight = t` replaces the entry
 * (the previous tensor is not disposed; the module takes ownership of the new one).
 * Child modules assigned to plain fields (`head = new Linear(4, 2)`) are also found, under the
 * field name, in field order after the registered ones; tensors must always be registered.
 *
 * @example
 * class TwoLayer extends Module {
 *   declare fc1: Linear; declare fc2: Linear;
 *   constructor() {
 *     super();
 *     this.registerModule('fc1', new Linear(4, 8));
 *     this.registerModule('fc2', new Linear(8, 2));
 *   }
 *   forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 */
export abstract class Module {
  #training = true;
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, Module | null>();

  /** The computation. Call it inside `tidy()` (training step, inference) so intermediates are freed. */
  abstract forward(...args: any[]): any;

  // ---- registration ----------------------------------------------------------------------

  /**
   * Registers a parameter (null registers the name without a tensor, like `bias=False`).
   * The tensor must be a leaf; it is set to require grad (unless `requiresGrad: false`) and kept.
   */
  registerParameter(name: string, t: Tensor | null, opts: { requiresGrad?: boolean } = {}): Tensor | null {
    this.#checkName(name, 'parameter', this.#parameters);
    this.#setParameter(name, t, opts.requiresGrad ?? true);
    this.#defineProperty(name, () => this.#parameters.get(name) ?? null, (v) => this.#setParameter(name, v as Tensor | null, true));
    return t;
  }

  /**
   * Registers a buffer: state that is not trained (running statistics, counters). Persistent
   * buffers (the default) belong to the state dict; non-persistent ones do not.
   */
  registerBuffer(name: string, t: Tensor | null, opts: { persistent?: boolean } = {}): Tensor | null {
    this.#checkName(name, 'buffer', this.#buffers);
    this.#setBuffer(name, t);
    if (opts.persistent === false) this.#nonPersistent.add(name);
    this.#defineProperty(name, () => this.#buffers.get(name) ?? null, (v) => this.#setBuffer(name, v as Tensor | null));
    return t;
  }

  /** Registers a child module under `name` (its parameters are then named `name.<...>`). */
  registerModule<M extends Module | null>(name: string, m: M): M {
    this.#checkName(name, 'module', this.#modules);
    this.#setModule(name, m);
    this.#defineProperty(name, () => this.#modules.get(name) ?? null, (v) => this.#setModule(name, v as Module | null));
    return m;
  }

  #checkName(name: string, kind: string, own: Map<string, unknown>): void {
    if (name === '' || name.includes('.')) {
      throw new TypeError(`${this.constructor.name}: ${kind} name '${name}' must be non-empty and must not contain '.'`);
    }
    const taken = (this.#parameters.has(name) && 'parameter') || (this.#buffers.has(name) && 'buffer') || (this.#modules.has(name) && 'module');
    if (taken && !(own.has(name))) {
      throw new TypeError(`${this.constructor.name}: cannot register ${kind} '${name}': already registered as a ${taken}`);
    }
    if (!own.has(name) && name in this && !Object.prototype.hasOwnProperty.call(this, name)) {
      throw new TypeError(`${this.constructor.name}: cannot register ${kind} '${name}': the name is taken by a method or property of the class`);
    }
  }

  #defineProperty(name: string, get: () => unknown, set: (v: unknown) => void): void {
    Object.defineProperty(this, name, { get, set, enumerable: true, configurable: true });
  }

  #setParameter(name: string, t: Tensor | null, requiresGrad: boolean): void {
    if (t !== null) {
      if (!(t instanceof Tensor)) throw new TypeError(`${this.constructor.name}.${name}: a parameter must be a Tensor or null`);
      if (!t.isLeaf) {
        throw new TypeError(`${this.constructor.name}.${name}: a parameter must be a leaf tensor; pass t.detach() (or create it under noGrad)`);
      }
      if (!isFloating(t.dtype)) throw new TypeError(`${this.constructor.name}.${name}: a parameter must be floating point, got ${t.dtype}`);
      if (t.requiresGrad !== requiresGrad) t.requiresGrad_(requiresGrad);
      keep(t);
    }
    this.#parameters.set(name, t);
  }

  #setBuffer(name: string, t: Tensor | null): void {
    if (t !== null) {
      if (!(t instanceof Tensor)) throw new TypeError(`${this.constructor.name}.${name}: a buffer must be a Tensor or null`);
      keep(t);
    }
    this.#buffers.set(name, t);
  }

  #setModule(name: string, m: Module | null): void {
    if (m !== null && !(m instanceof Module)) throw new TypeError(`${this.constructor.name}.${name}: expected a Module or null`);
    this.#modules.set(name, m);
  }

  // ---- traversal -------------------------------------------------------------------------

  /** Direct children with their names, in registration order. */
  namedChildren(): [string, Module][] {
    this.#discoverModules();
    const out: [string, Module][] = [];
    for (const [n, m] of this.#modules) if (m !== null) out.push([n, m]);
    return out;
  }

  // Assign-based discovery: a Module stored in a plain field (`head = new Linear(4, 2)`) is
  // registered under the field's name the first time the tree is traversed. Tensors are not
  // discovered (a field cannot say whether it is a parameter or a buffer): register them.
  #discoverModules(): void {
    for (const key of Object.keys(this)) {
      if (this.#modules.has(key)) continue;
      const d = Object.getOwnPropertyDescriptor(this, key);
      if (d !== undefined && 'value' in d && d.value instanceof Module && d.value !== this && !key.includes('.')) {
        if (this.#parameters.has(key) || this.#buffers.has(key)) continue;
        this.registerModule(key, d.value);
      }
    }
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, depth first, with dotted names ('' for this one). Each module once. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, p: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [n, c] of m.namedChildren()) visit(c, p === '' ? n : `${p}.${n}`);
    };
    visit(this, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters with PyTorch's dotted names ('layer1.0.conv1.weight'), in registration order.
   * A tensor shared by several modules is listed once (under its first name).
   */
  namedParameters(prefix = '', recurse = true): [string, Tensor][] {
    return this.#namedTensors(prefix, recurse, (m) => m.#parameters);
  }

  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, t]) => t);
  }

  /** Buffers with dotted names ('bn1.running_mean'), including non-persistent ones. */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    return this.#namedTensors(prefix, recurse, (m) => m.#buffers);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, t]) => t);
  }

  /** The named tensors `pick` gives of this module (and its descendants), a shared tensor once, under its first name. */
  #namedTensors(prefix: string, recurse: boolean, pick: (m: Module) => Map<string, Tensor | null>): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [p, m] of mods) {
      for (const [n, t] of pick(m)) {
        if (t === null) continue;
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([p === '' ? n : `${p}.${n}`, t]);
      }
    }
    return out;
  }

  /** Total number of parameter elements (shared tensors counted once). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!opts.trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  /** Applies fn to every module (children first, then this one, as PyTorch's apply). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---- mode ------------------------------------------------------------------------------

  /** True in training mode (BatchNorm uses batch statistics, Dropout drops). */
  get training(): boolean {
    return this.#training;
  }

  /** Sets training mode on this module and all descendants. */
  train(on = true): this {
    for (const m of this.modules()) {
      m.#training = on;
      m.releaseDerived();
    }
    return this;
  }

  /**
   * Frees what this module derived from its tensors for faster inference (prepacked weights:
   * src/nn/inferenceFusion.ts). Called by train(), eval(), to() and dispose(); modules that keep
   * such caches override it.
   */
  protected releaseDerived(): void {}

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every parameter (false freezes the module). */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }

  /** Clears the gradient of every parameter (sets it to null, as PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  // ---- conversion and lifetime -----------------------------------------------------------

  /**
   * Converts floating-point parameters and buffers to `dtype` (integer buffers such as
   * num_batches_tracked are left alone), and/or lays out every 4-D parameter and buffer (the
   * convolution weights) in `memoryFormat`, as PyTorch's `module.to(memory_format=...)`.
   * The old tensors are disposed; gradients are dropped: convert before making the optimizer.
   * State dicts stay layout-independent: {@link stateDict} values read out in NCHW order and
   * {@link loadStateDict} copies into whatever layout the module has.
   * @example const m = new Conv2d(2, 3, 3).to('float64'); // for gradient checks
   * @example net.to({ memoryFormat: 'channelsLast' }); // then feed it channels-last batches
   */
  to(target: DType | ModuleToOptions): this {
    const opts: ModuleToOptions = typeof target === 'string' ? { dtype: target } : target;
    if (opts === null || typeof opts !== 'object') throw new TypeError(`Module.to(): expected a dtype such as 'float64' or { dtype?, memoryFormat? }, got ${String(target)}`);
    const { dtype, memoryFormat } = opts;
    if (dtype !== undefined && !isFloating(dtype)) throw new TypeError(`Module.to('${dtype}'): only floating-point dtypes are supported`);
    if (memoryFormat !== undefined) memoryFormatCode(memoryFormat, 'Module.to() option memoryFormat');
    // The tensor t should become, or null when it already is.
    const convert = (t: Tensor, floatingOnly: boolean): Tensor | null => {
      const retype = dtype !== undefined && t.dtype !== dtype && isFloating(t.dtype);
      const relayout = memoryFormat !== undefined && t.rank === 4 && !t.isContiguous(memoryFormat);
      if (!retype && !relayout) return null;
      if (floatingOnly && !isFloating(t.dtype)) return null;
      const typed = retype && dtype !== undefined ? t.to(dtype) : t;
      if (!relayout) return typed;
      const laid = typed.contiguous({ memoryFormat });
      if (typed !== t) typed.dispose();
      return laid;
    };
    noGrad(() => {
      for (const m of this.modules()) {
        m.releaseDerived(); // derived from the tensors about to be replaced
        for (const [n, p] of m.#parameters) {
          if (p === null) continue;
          // Under noGrad the converted tensor is a fresh leaf.
          const q = convert(p, true);
          if (q === null) continue;
          const requiresGrad = p.requiresGrad;
          m.#setParameter(n, q, requiresGrad);
          p.dispose();
        }
        for (const [n, b] of m.#buffers) {
          if (b === null) continue;
          const q = convert(b, false);
          if (q === null) continue;
          m.#setBuffer(n, q);
          b.dispose();
        }
      }
    });
    return this;
  }

  /** Disposes every parameter and buffer of this module and its descendants. Idempotent. */
  dispose(): void {
    for (const m of this.modules()) {
      m.releaseDerived();
      for (const p of m.#parameters.values()) p?.dispose();
      for (const b of m.#buffers.values()) b?.dispose();
    }
  }

  // ---- state dict ------------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by PyTorch key name, in PyTorch's order (per module:
   * parameters, then buffers; modules depth first). Values are new detached handles sharing
   * the module's storage: the caller owns them (dispose them, or call this inside `tidy()`);
   * disposing them never affects the module.
   */
  stateDict(prefix = ''): StateDict {
    const out: StateDict = new Map();
    noGrad(() => this.#collectState(prefix, out));
    return out;
  }

  #collectState(prefix: string, out: StateDict): void {
    for (const [n, p] of this.#parameters) if (p !== null) out.set(prefix + n, p.detach());
    for (const [n, b] of this.#buffers) if (b !== null && !this.#nonPersistent.has(n)) out.set(prefix + n, b.detach());
    for (const [n, m] of this.namedChildren()) m.#collectState(`${prefix}${n}.`, out);
  }

  /** Keys of a state dict of this module that may be absent from a checkpoint (see BatchNorm). */
  protected optionalStateKeys(): string[] {
    return [];
  }

  /**
   * Copies values from `dict` into the parameters and buffers, in place (the tensors keep their
   * identity, so optimizers holding them stay valid; dtype is converted). Nothing is copied
   * unless every key matches: with `strict` (default) missing and unexpected keys are errors;
   * a shape mismatch is always an error (as in PyTorch). The dict is not consumed.
   * @example model.loadStateDict(tensorsFromCheckpoint, { strict: false })
   */
  loadStateDict(dict: Map<string, Tensor> | Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const source = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const targets = new Map<string, Tensor>();
    const optional = new Set<string>();
    for (const [p, m] of this.namedModules()) {
      const pre = p === '' ? '' : `${p}.`;
      for (const [n, t] of m.#parameters) if (t !== null) targets.set(pre + n, t);
      for (const [n, t] of m.#buffers) if (t !== null && !m.#nonPersistent.has(n)) targets.set(pre + n, t);
      for (const n of m.optionalStateKeys()) optional.add(pre + n);
    }
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const mismatched: string[] = [];
    for (const [k, t] of targets) {
      const v = source.get(k);
      if (v === undefined) {
        if (!optional.has(k)) missingKeys.push(k);
        continue;
      }
      if (!(v instanceof Tensor)) {
        mismatched.push(`${k}: expected a Tensor, got ${typeof v}`);
        continue;
      }
      const a = v.shape;
      const b = t.shape;
      if (a.length !== b.length || a.some((s, i) => s !== b[i])) mismatched.push(`${k}: checkpoint [${a.join(', ')}] vs model [${b.join(', ')}]`);
    }
    for (const k of source.keys()) if (!targets.has(k)) unexpectedKeys.push(k);
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`  missing keys (${missingKeys.length}): ${listKeys(missingKeys)}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`  unexpected keys (${unexpectedKeys.length}): ${listKeys(unexpectedKeys)}`);
    if (mismatched.length > 0) problems.push(`  shape mismatch (${mismatched.length}): ${listKeys(mismatched, '; ')}`);
    if (problems.length > 0) {
      const hint = strict && mismatched.length === 0
        ? 'pass { strict: false } to load the matching keys only'
        : 'shapes must match even with { strict: false }; check the model options (numClasses, widthMultiplier, inChannels)';
      throw new Error(`${this.constructor.name}.loadStateDict: the state dict does not match the model (nothing was loaded):\n${problems.join('\n')}\n  (${hint})`);
    }
    noGrad(() => {
      for (const [k, t] of targets) {
        const v = source.get(k);
        if (v !== undefined) t.copy_(v);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing --------------------------------------------------------------------------

  /** Layer settings shown by toString(), e.g. '3, 64, kernelSize=[7, 7]'. */
  extraRepr(): string {
    return '';
  }

  /** A PyTorch-like printout of the module tree. */
  toString(): string {
    const kids = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return head + ')';
    const lines = kids.map(([n, m]) => `  (${n}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
}

function listKeys(keys: string[], sep = ', '): string {
  const max = 12;
  const shown = keys.slice(0, max).join(sep);
  return keys.length > max ? `${shown}${sep}... (${keys.length - max} more)` : shown;
}
