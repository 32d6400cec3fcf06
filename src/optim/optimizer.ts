// The optimizer base: parameter groups with their own hyper-parameters, per-parameter state
// tensors owned by the optimizer, a leak-free step under noGrad, and checkpointable state.
import { Tensor, keep, noGrad, tidy } from '../core/index.js';

/** Hyper-parameters every optimizer has; subclasses add their own (numbers or booleans only). */
export interface BaseHyperParams {
  lr: number;
}

/**
 * A group of parameters with optional overrides of the optimizer's defaults.
 * `initialLr` is the base the schedules scale; it defaults to the group's lr.
 * @example new SGD([{ params: backbone, lr: 0.001 }, { params: head }], { lr: 0.01, momentum: 0.9 })
 */
export type ParamGroup<H extends BaseHyperParams> = { params: Tensor[]; initialLr?: number } & Partial<H>;

/** A group as the optimizer holds it: every hyper-parameter resolved. Mutate lr (or others) freely. */
export type ResolvedGroup<H extends BaseHyperParams> = H & { params: Tensor[]; initialLr: number };

/** Optimizer state in a form the trainer can save: tensors for safetensors, the rest as JSON. */
export interface OptimizerStateDict {
  /** `state.<param index>.<name>`, e.g. `state.3.momentum_buffer` (PyTorch's state names). */
  tensors: Record<string, Tensor>;
  meta: OptimizerStateMeta;
}

export interface OptimizerStateMeta {
  /** 'SGD' | 'Adam' | 'AdamW': loading into another kind is refused. */
  optimizer: string;
  /** Per group: its hyper-parameters, initialLr and the indices of its parameters (flat order over groups). */
  groups: Array<Record<string, number | boolean | number[]>>;
  /** Per parameter index: scalar state such as Adam's step count. */
  state: Record<string, Record<string, number>>;
}

/** What the optimizer remembers about one parameter. Tensors are kept (owned by the optimizer). */
export interface ParamState {
  tensors: Record<string, Tensor>;
  scalars: Record<string, number>;
}

/**
 * Base class of the optimizers. Subclasses give their defaults and implement `update`, which
 * runs inside noGrad and tidy, so temporaries need no care; only state tensors set with
 * `setState` survive the step.
 */
export abstract class Optimizer<H extends BaseHyperParams> {
  /** The parameter groups, in order. Change `group.lr` to change a group's learning rate. */
  readonly paramGroups: ResolvedGroup<H>[] = [];
  /** Name written into state dicts ('SGD', 'Adam', 'AdamW'). */
  readonly kind: string;
  protected readonly defaults: H;
  readonly #state = new Map<Tensor, ParamState>();
  #disposed = false;

  protected constructor(params: Tensor[] | ParamGroup<H>[], defaults: H, name: string) {
    this.kind = name;
    this.defaults = { ...defaults };
    if (!Array.isArray(params) || params.length === 0) {
      throw new TypeError(`${name}: expected a non-empty array of parameters (Tensors) or of parameter groups ({params, lr?, ...}), got ${describe(params)}`);
    }
    const allTensors = params.every((p) => p instanceof Tensor);
    const allGroups = params.every((p) => !(p instanceof Tensor) && typeof p === 'object' && p !== null && Array.isArray((p as ParamGroup<H>).params));
    if (!allTensors && !allGroups) {
      throw new TypeError(`${name}: params must be either all Tensors or all parameter groups ({params: Tensor[], ...}); got a mix or something else`);
    }
    const groups = allTensors ? [{ params: params as Tensor[] } as ParamGroup<H>] : (params as ParamGroup<H>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Validates one resolved group's hyper-parameters; throws a RangeError naming the bad value. */
  protected abstract validate(group: ResolvedGroup<H>, where: string): void;

  /**
   * Updates the parameters of one group that have a gradient (params[i] with grads[i]).
   * Called inside noGrad and tidy.
   */
  protected abstract update(group: ResolvedGroup<H>, params: Tensor[], grads: Tensor[]): void;

  /** Adds a group (e.g. newly unfrozen layers); missing hyper-parameters take the defaults. */
  addParamGroup(group: ParamGroup<H>): void {
    const where = `${this.kind} parameter group ${this.paramGroups.length}`;
    if (!Array.isArray(group.params) || group.params.length === 0) {
      throw new TypeError(`${where}: 'params' must be a non-empty array of Tensors`);
    }
    for (const key of Object.keys(group)) {
      if (key !== 'params' && key !== 'initialLr' && !(key in this.defaults)) {
        throw new TypeError(`${where}: unknown option '${key}'; known: ${Object.keys(this.defaults).join(', ')}, initialLr`);
      }
    }
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    group.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${where}: params[${i}] is not a Tensor (${describe(p)})`);
      if (seen.has(p)) throw new RangeError(`${where}: params[${i}] already appears in this optimizer (a parameter may belong to one group only)`);
      if (!p.isLeaf) throw new RangeError(`${where}: params[${i}] (shape [${p.shape.join(', ')}]) is not a leaf tensor; optimize the parameter itself, not a result computed from it`);
      if (!p.requiresGrad) throw new RangeError(`${where}: params[${i}] (shape [${p.shape.join(', ')}]) does not require grad; call requiresGrad_() on it or leave it out`);
      seen.add(p);
    });
    const resolved = { ...this.defaults } as ResolvedGroup<H>;
    for (const [k, v] of Object.entries(group)) if (k !== 'params' && v !== undefined) (resolved as unknown as Record<string, unknown>)[k] = v;
    resolved.params = group.params.slice();
    if (resolved.initialLr === undefined) resolved.initialLr = resolved.lr;
    this.validate(resolved, where);
    this.paramGroups.push(resolved);
  }

  /** All parameters, in the flat order used by state dicts. */
  get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Current learning rate of each group. */
  getLr(): number[] {
    return this.paramGroups.map((g) => g.lr);
  }

  /** Sets the learning rate of every group (one number) or of each group (one per group). */
  setLr(lr: number | number[]): void {
    const lrs = typeof lr === 'number' ? this.paramGroups.map(() => lr) : lr;
    if (lrs.length !== this.paramGroups.length) {
      throw new RangeError(`${this.kind}.setLr: got ${lrs.length} learning rates for ${this.paramGroups.length} parameter groups`);
    }
    lrs.forEach((v, i) => {
      if (!(v >= 0)) throw new RangeError(`${this.kind}.setLr: learning rate of group ${i} must be >= 0, got ${v}`);
      this.paramGroups[i]!.lr = v;
    });
  }

  /** Clears the gradient of every parameter (sets it to null, like PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** One update of every parameter that has a gradient; parameters without one are skipped. */
  step(): void {
    this.#checkAlive('step');
    tidy(() =>
      noGrad(() => {
        for (const group of this.paramGroups) {
          const params: Tensor[] = [];
          const grads: Tensor[] = [];
          for (const p of group.params) {
            const g = p.grad;
            if (g !== null) {
              params.push(p);
              grads.push(g);
            }
          }
          if (params.length > 0) this.update(group, params, grads);
        }
      }),
    );
  }

  /** The state of a parameter, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.#state.get(p);
    if (s === undefined) {
      s = { tensors: {}, scalars: {} };
      this.#state.set(p, s);
    }
    return s;
  }

  /** Stores a state tensor: keeps it out of every tidy scope; disposes the one it replaces. */
  protected setState(p: Tensor, name: string, t: Tensor): Tensor {
    const s = this.stateOf(p);
    const old = s.tensors[name];
    if (old !== undefined && old !== t) old.dispose();
    s.tensors[name] = keep(t);
    return t;
  }

  /**
   * The state to checkpoint. `tensors` are new handles aliasing the live state (owned by the
   * caller's scope, dispose them when saved): save them before the next step, or clone them.
   * @example const { tensors, meta } = opt.stateDict(); saveSafetensors(path, tensors, { optim: JSON.stringify(meta) });
   */
  stateDict(): OptimizerStateDict {
    this.#checkAlive('stateDict');
    const tensors: Record<string, Tensor> = {};
    const state: Record<string, Record<string, number>> = {};
    const groups: OptimizerStateMeta['groups'] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const entry: Record<string, number | boolean | number[]> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') entry[k] = v as number | boolean;
      entry.params = g.params.map((_, i) => index + i);
      groups.push(entry);
      for (const p of g.params) {
        const s = this.#state.get(p);
        if (s !== undefined) {
          for (const [name, t] of Object.entries(s.tensors)) tensors[`state.${index}.${name}`] = noGrad(() => t.detach());
          if (Object.keys(s.scalars).length > 0) state[String(index)] = { ...s.scalars };
        }
        index++;
      }
    }
    return { tensors, meta: { optimizer: this.kind, groups, state } };
  }

  /**
   * Restores a state dict written by `stateDict()` for the same parameters in the same groups.
   * Tensors are copied (the caller may dispose its own); group hyper-parameters are restored
   * too (as PyTorch does), so re-apply a schedule afterwards if it should decide the lr.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    this.#checkAlive('loadStateDict');
    const { tensors, meta } = sd;
    const what = `${this.kind}.loadStateDict`;
    if (meta === undefined || typeof meta !== 'object' || !Array.isArray(meta.groups)) {
      throw new TypeError(`${what}: expected {tensors, meta} as written by stateDict(); meta.groups is missing`);
    }
    if (meta.optimizer !== this.kind) {
      throw new RangeError(`${what}: the state was saved by ${meta.optimizer}, not ${this.kind}; use the same optimizer or start its state fresh`);
    }
    if (meta.groups.length !== this.paramGroups.length) {
      throw new RangeError(`${what}: the state has ${meta.groups.length} parameter groups, this optimizer ${this.paramGroups.length}`);
    }
    const params = this.params;
    meta.groups.forEach((sg, gi) => {
      const n = Array.isArray(sg.params) ? sg.params.length : -1;
      if (n !== this.paramGroups[gi]!.params.length) {
        throw new RangeError(`${what}: group ${gi} has ${n} parameters in the state, ${this.paramGroups[gi]!.params.length} here; build the optimizer with the same groups`);
      }
    });
    // Check every tensor before changing anything.
    const incoming = new Map<number, Record<string, Tensor>>();
    for (const [key, t] of Object.entries(tensors ?? {})) {
      const m = /^state\.(\d+)\.(.+)$/.exec(key);
      if (m === null) throw new RangeError(`${what}: unexpected tensor name '${key}'; expected 'state.<param index>.<name>'`);
      const i = Number(m[1]);
      const p = params[i];
      if (p === undefined) throw new RangeError(`${what}: '${key}' refers to parameter ${i}, but there are only ${params.length}`);
      const ps = p.shape;
      const ts = t.shape;
      if (ps.length !== ts.length || ps.some((d, k) => d !== ts[k])) {
        throw new RangeError(`${what}: '${key}' has shape [${ts.join(', ')}], parameter ${i} has shape [${ps.join(', ')}]`);
      }
      let rec = incoming.get(i);
      if (rec === undefined) incoming.set(i, (rec = {}));
      rec[m[2]!] = t;
    }
    this.#disposeState();
    for (const [i, rec] of incoming) {
      const p = params[i]!;
      for (const [name, t] of Object.entries(rec)) {
        const copy = tidy(() => noGrad(() => (t.dtype === p.dtype ? t.clone() : t.to(p.dtype))));
        this.setState(p, name, copy);
      }
    }
    for (const [key, scalars] of Object.entries(meta.state ?? {})) {
      const p = params[Number(key)];
      if (p === undefined) throw new RangeError(`${what}: scalar state for parameter ${key}, but there are only ${params.length}`);
      Object.assign(this.stateOf(p).scalars, scalars);
    }
    meta.groups.forEach((sg, gi) => {
      const g = this.paramGroups[gi]! as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(sg)) if (k !== 'params' && (k in this.defaults || k === 'initialLr')) g[k] = v;
    });
  }

  /** Releases the state tensors (momentum buffers, moments). The parameters are untouched. */
  dispose(): void {
    this.#disposeState();
    this.#disposed = true;
  }

  #disposeState(): void {
    for (const s of this.#state.values()) for (const t of Object.values(s.tensors)) t.dispose();
    this.#state.clear();
  }

  #checkAlive(what: string): void {
    if (this.#disposed) throw new TypeError(`${this.kind}.${what}(): the optimizer was disposed; create a new one`);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an empty array`;
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
}
