// A real garbage collection for tests, whatever flags node was started with: `--expose-gc` is
// set at run time and V8's gc() taken from a fresh context (the global one was created before).
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');

/** Runs a full, synchronous garbage collection. */
export const collectGarbage = vm.runInNewContext('gc') as () => void;
