// A one-line progress display for training loops: redrawn in place on a terminal, a plain
// line every few seconds otherwise (CI logs, files).

export interface ProgressState {
  label: string;
  done: number;
  total: number;
  /** Extra figures shown after the counter, e.g. {loss: 0.31, 'img/s': 120}. */
  figures?: Record<string, number | string>;
}

export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  #last = 0;
  #start = Date.now();
  #dirty = false;

  constructor(opts: { stream?: NodeJS.WriteStream; intervalMs?: number; enabled?: boolean } = {}) {
    this.#stream = opts.stream ?? process.stderr;
    this.#tty = opts.enabled === false ? false : Boolean(this.#stream.isTTY);
    this.#intervalMs = opts.intervalMs ?? (this.#tty ? 100 : 10_000);
    this.enabled = opts.enabled ?? true;
  }

  enabled: boolean;

  /** Starts timing a new phase (for the ETA). */
  restart(): void {
    this.#start = Date.now();
    this.#last = 0;
  }

  update(s: ProgressState, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.#last < this.#intervalMs && s.done < s.total) return;
    this.#last = now;
    const line = formatProgress(s, (now - this.#start) / 1000);
    if (this.#tty) {
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#dirty = true;
    } else {
      this.#stream.write(line + '\n');
    }
  }

  /** Ends the current line (on a terminal) so that later output starts cleanly. */
  end(): void {
    if (this.#tty && this.#dirty) this.#stream.write('\n');
    this.#dirty = false;
  }
}

/** "train 3/10  [#####-----] 120/240  loss 0.412  img/s 88.1  eta 0:42" */
export function formatProgress(s: ProgressState, elapsedSec: number): string {
  const width = 20;
  const frac = s.total > 0 ? Math.min(1, s.done / s.total) : 0;
  const filled = Math.round(frac * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const figs = Object.entries(s.figures ?? {})
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join('  ');
  const eta = frac > 0 && frac < 1 ? `  eta ${formatDuration((elapsedSec / frac) * (1 - frac))}` : '';
  return `${s.label} [${bar}] ${s.done}/${s.total}${figs ? '  ' + figs : ''}${eta}`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(4);
}

export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m % 60).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
