/**
 * PyTorch checkpoints as written by `torch.save` since 1.6: a ZIP archive
 * `<prefix>/data.pkl` (the pickled object, protocol 2 by default) with one
 * record `<prefix>/data/<key>` per storage, plus `<prefix>/version` and, from
 * torch 2.x, `<prefix>/byteorder`. We unpickle with an allow-list (nothing is
 * executed), pick the state_dict, and rebuild every tensor as contiguous bytes.
 */
import { PickleDict, PickleOpaque, unpickle } from './pickle.js';
import type { RawStateDict } from './rawTensor.js';
import { TorchStorageRef, TorchTensorRef, materializeTorchTensor, torchPersistentLoad, torchPickleGlobals } from './torchPickle.js';
import { WeightFileError } from './weightFileError.js';
import { ZipArchive, looksLikeZip } from './zipArchive.js';
import { InputLimitError, inputLimits, type InputLimits } from './inputLimits.js';

/** Options of {@link readPytorchCheckpoint}. */
export interface PytorchCheckpointOptions {
  /**
   * Read past Python globals that are not on the allow-list (e.g. an
   * argparse.Namespace stored next to the weights) as inert placeholders
   * instead of failing. Nothing is executed either way. Default false.
   */
  opaqueUnknownGlobals?: boolean;
  /** Verify the CRC-32 of every record read (default true). */
  verifyCrc?: boolean;
  /** Limits (pickle size and nesting, inflated sizes, expanded views); default {@link inputLimits}(). */
  limits?: Partial<InputLimits>;
}

/** What {@link readPytorchCheckpoint} returns. */
export interface PytorchCheckpointContents {
  /** Tensors by flattened name ('layer1.0.conv1.weight'), in pickle order. */
  tensors: RawStateDict;
  /** Where the state_dict was found: '' (the file is one), 'state_dict' or 'model'. */
  stateDictKey: string;
  /** Flattened names of non-tensor entries inside the state_dict that were left out. */
  skipped: string[];
  /** The whole unpickled object (tensors as {@link TorchTensorRef}), e.g. to read 'epoch'. */
  root: unknown;
}

/** The pickle every legacy (pre-1.6) torch.save file starts with: PROTO n, LONG1 of the magic 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** True if `bytes` are a legacy (pre-1.6, non-zip) torch.save file. */
export function isLegacyTorchFile(bytes: Uint8Array): boolean {
  if (bytes.byteLength >= 2 + LEGACY_MAGIC.length && bytes[0] === 0x80 && LEGACY_MAGIC.every((b, i) => bytes[2 + i] === b)) return true;
  // Before 0.4 torch.save wrote a tar archive.
  return bytes.byteLength >= 262 && String.fromCharCode(...bytes.subarray(257, 262)) === 'ustar';
}

const LEGACY_ADVICE =
  'this is the legacy (pre-1.6, non-zip) torch.save format, which is not supported: re-save it with torch>=1.6, ' +
  'e.g. torch.save(torch.load(path), new_path, _use_new_zipfile_serialization=True)';

/**
 * Read a PyTorch checkpoint: the full unpickled object and the flattened
 * state_dict. Accepts a bare state_dict, or a dict with a 'state_dict' or
 * 'model' entry holding one; nested dicts are flattened with '.'. Throws a
 * {@link WeightFileError} naming `source` for legacy, TorchScript, whole-module,
 * truncated, corrupt or foreign files.
 *
 * @example
 * const { tensors, root } = readPytorchCheckpoint(readFileSync(p), p);
 */
export function readPytorchCheckpoint(bytes: Uint8Array, source = 'PyTorch checkpoint', options: PytorchCheckpointOptions = {}): PytorchCheckpointContents {
  const fail = (problem: string): never => {
    throw new WeightFileError(source, problem);
  };
  if (isLegacyTorchFile(bytes)) fail(LEGACY_ADVICE);
  if (!looksLikeZip(bytes)) {
    if (bytes.byteLength === 0) fail('file is empty, expected a PyTorch checkpoint (ZIP archive)');
    if (bytes[0] === 0x80) fail('this is a plain Python pickle, not a torch.save checkpoint (ZIP archive); re-save the weights with torch.save(state_dict, path)');
    fail(`not a PyTorch checkpoint: expected a ZIP archive (torch.save since 1.6), found bytes ${hexStart(bytes)}`);
  }
  const limits = inputLimits(options.limits);
  const zip = ZipArchive.open(bytes, source, limits);
  const names = zip.names();
  const pkls = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  const prefixOf = (n: string): string => n.slice(0, n.indexOf('/'));
  if (pkls.length === 0) {
    fail(`ZIP archive is not a PyTorch checkpoint: no '<name>/data.pkl' record (entries: ${listNames(names)})`);
  }
  if (pkls.length > 1) fail(`ZIP archive holds several checkpoints (${pkls.join(', ')}); expected one '<name>/data.pkl'`);
  const prefix = prefixOf(pkls[0]!);
  if (zip.has(`${prefix}/constants.pkl`) || names.some((n) => n.startsWith(`${prefix}/code/`))) {
    fail('this is a TorchScript archive (torch.jit.save), not a state_dict: in Python, torch.save(torch.jit.load(path).state_dict(), new_path)');
  }
  const verifyCrc = options.verifyCrc !== false;
  let bigEndian = false;
  if (zip.has(`${prefix}/byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}/byteorder`, { verifyCrc })).trim();
    if (order !== 'little' && order !== 'big') fail(`unknown byteorder record '${order}' (expected 'little' or 'big')`);
    bigEndian = order === 'big';
  }

  const persistentLoad = torchPersistentLoad((key, type, location, numel) => {
    const record = `${prefix}/data/${key}`;
    if (!zip.has(record)) fail(`storage record '${record}' is missing (corrupt or incomplete checkpoint)`);
    return new TorchStorageRef(key, type, location, numel, () => zip.read(record, { verifyCrc }));
  });
  // The pickle's declared size is checked before it is read (and inflated, if deflated).
  const pickle = zip.read(pkls[0]!, { verifyCrc, maxBytes: Math.min(limits.pickleBytes, limits.inflatedBytes), limitName: limits.pickleBytes <= limits.inflatedBytes ? 'pickleBytes' : 'inflatedBytes' });
  const root = unpickle(pickle, {
    globals: torchPickleGlobals(),
    persistentLoad,
    source,
    opaqueUnknownGlobals: options.opaqueUnknownGlobals ?? false,
    limits,
  });

  const { dict, key } = selectStateDict(root, fail);
  const tensors: RawStateDict = new Map();
  const skipped: string[] = [];
  // Nested dicts are flattened depth-first; their depth is bounded by the unpickler's nesting
  // limit, and a dict that contains itself (through the pickle memo) is refused.
  const open = new Set<PickleDict>();
  const visit = (d: PickleDict, prefixName: string): void => {
    if (open.has(d)) fail(`the state_dict entry '${prefixName.slice(0, -1)}' contains itself (a cyclic pickle), which no torch.save of tensors writes`);
    open.add(d);
    for (const [k, v] of d) {
      const name = prefixName + (typeof k === 'string' ? k : String(k));
      if (v instanceof TorchTensorRef) {
        if (tensors.has(name)) fail(`two entries flatten to the same name '${name}'`);
        try {
          tensors.set(name, materializeTorchTensor(v, bigEndian, { limits, source, name }));
        } catch (e) {
          if (e instanceof WeightFileError || e instanceof InputLimitError) throw e;
          fail(`tensor '${name}': ${(e as Error).message}`);
        }
      } else if (v instanceof PickleDict) {
        visit(v, `${name}.`);
      } else {
        skipped.push(name);
      }
    }
    open.delete(d);
  };
  visit(dict, '');
  if (tensors.size === 0) {
    fail(`no tensors found in the ${key ? `'${key}' entry` : 'checkpoint'} (keys: ${listNames([...dict.keys()].map(String))})`);
  }
  return { tensors, stateDictKey: key, skipped, root };
}

/**
 * The state_dict of a PyTorch checkpoint as RawTensors (see
 * {@link readPytorchCheckpoint} for what is accepted).
 *
 * @example
 * const dict = parsePytorchCheckpoint(readFileSync('resnet18-f37072fd.pth'), 'resnet18-f37072fd.pth');
 * dict.get('conv1.weight'); // { dtype: 'float32', shape: [64, 3, 7, 7], data }
 */
export function parsePytorchCheckpoint(bytes: Uint8Array, source?: string, options?: PytorchCheckpointOptions): RawStateDict {
  return readPytorchCheckpoint(bytes, source, options).tensors;
}

function selectStateDict(root: unknown, fail: (p: string) => never): { dict: PickleDict; key: string } {
  const wholeModule = (what: string, obj: PickleOpaque): never =>
    fail(`${what} is a pickled ${obj.qualifiedName} object, not a state_dict: re-save with torch.save(model.state_dict(), path)`);
  if (root instanceof PickleOpaque) wholeModule('the checkpoint', root);
  if (root instanceof TorchTensorRef) fail('the checkpoint holds a single tensor, not a state_dict (a dict of named tensors)');
  if (!(root instanceof PickleDict)) fail(`the checkpoint holds a ${describeType(root)}, not a state_dict (a dict of named tensors)`);
  const dict = root as PickleDict;
  for (const key of ['state_dict', 'model']) {
    const v = dict.get(key);
    if (v instanceof PickleDict) return { dict: v, key };
    if (v instanceof PickleOpaque) wholeModule(`its '${key}' entry`, v);
  }
  return { dict, key: '' };
}

function describeType(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  return typeof v;
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => `'${n}'`).join(', ');
  return names.length > 8 ? `${shown}, ... ${names.length - 8} more` : shown || 'none';
}

function hexStart(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
