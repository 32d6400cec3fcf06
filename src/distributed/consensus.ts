// Decisions every rank must take together: work that only rank 0 can do (it owns the run folder)
// and checks that any rank can fail. A failure on one rank becomes the same error on every rank,
// instead of one rank throwing and the others waiting for it until the timeout.
import type { ProcessGroup } from './processGroup.js';

/**
 * Runs `fn` on rank 0 and gives its (JSON-serialisable) result to every rank. When fn throws,
 * rank 0 rethrows its error and the other ranks throw one that quotes it.
 */
export async function runOnRank0<T>(group: ProcessGroup, fn: () => T | Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; message: string } | null = null;
  let error: unknown = null;
  if (group.rank === 0) {
    try {
      outcome = { ok: true, value: await fn() };
    } catch (e) {
      error = e;
      outcome = { ok: false, message: (e as Error).message };
    }
  }
  const shared = await group.broadcastJson(outcome);
  if (shared === null) throw new Error('runOnRank0: rank 0 sent nothing');
  if (!shared.ok) throw group.rank === 0 ? error : new Error(`rank 0: ${shared.message}`);
  return shared.value;
}

/**
 * Every rank states its problem (or null); when any rank has one, every rank throws the same
 * error naming the first such rank.
 */
export async function agree(group: ProcessGroup, problem: string | null): Promise<void> {
  const all = await group.allGatherJson(problem);
  const first = all.findIndex((p) => p !== null);
  if (first >= 0) throw new Error(`rank ${first}: ${all[first]}`);
}
