// Per-epoch training curves from a run's log.jsonl (RunLog events).

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Validation mAP in [0, 1] after the epoch (NaN when absent). */
  valMAP: number;
  /** Learning rates of the parameter groups at the end of the epoch (may be empty). */
  lr: number[];
  seconds: number;
  /** The trainer saved best.safetensors after this epoch. */
  best: boolean;
}

/**
 * The 'epoch' events of a run log, one per epoch in epoch order. An epoch logged twice (a
 * resumed run that repeated it) keeps its last record.
 */
export function epochRecords(events: ReadonlyArray<Record<string, unknown> & { event: string }>): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const ev of events) {
    if (ev.event !== 'epoch') continue;
    const epoch = Number(ev.epoch);
    if (!Number.isFinite(epoch)) continue;
    byEpoch.set(epoch, {
      epoch,
      loss: toNumber(ev.loss),
      valMAP: toNumber(ev.valMAP),
      lr: Array.isArray(ev.lr) ? ev.lr.map(toNumber) : typeof ev.lr === 'number' ? [ev.lr] : [],
      seconds: toNumber(ev.seconds),
      best: ev.best === true,
    });
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/**
 * Index (into records) of the epoch whose weights are best.safetensors: the last epoch the
 * trainer flagged best, else the highest validation mAP; -1 if none.
 */
export function bestEpochIndex(records: readonly EpochRecord[]): number {
  for (let i = records.length - 1; i >= 0; i--) if (records[i]!.best) return i;
  let best = -1;
  for (let i = 0; i < records.length; i++) {
    if (Number.isFinite(records[i]!.valMAP) && (best < 0 || records[i]!.valMAP > records[best]!.valMAP)) best = i;
  }
  return best;
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}
