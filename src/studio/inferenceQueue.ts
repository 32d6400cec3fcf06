// One inference at a time: the network runs on the server's main thread and its libtorch
// threads, so requests take turns in arrival order; a bounded number may wait, the rest are
// told when to come back (503 with Retry-After).
import { expectInteger } from '../core/errors.js';
import { HttpError } from './httpError.js';

/**
 * A first-in first-out queue that runs one job at a time. `run` refuses with a 503 HttpError
 * (Retry-After: the expected wait in seconds, at least 1) when `capacity` jobs already wait
 * behind the running one. A job that throws rejects its own promise only.
 */
export class InferenceQueue {
  readonly #capacity: number;
  #waiting: Array<() => void> = [];
  #running = false;
  #idle: Array<() => void> = [];
  /** Moving average of job durations, ms (for Retry-After). */
  #meanMs = 100;

  constructor(capacity: number) {
    this.#capacity = expectInteger('the capacity of an InferenceQueue', capacity, { min: 0 });
  }

  /** Jobs waiting behind the running one. */
  get waiting(): number {
    return this.#waiting.length;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Runs `job` after every job queued before it; resolves or rejects with it. */
  async run<T>(job: () => Promise<T> | T): Promise<T> {
    if (this.#running) {
      if (this.#waiting.length >= this.#capacity) {
        const seconds = Math.max(1, Math.ceil(((this.#waiting.length + 1) * this.#meanMs) / 1000));
        throw new HttpError(503, `the server is busy: ${this.#waiting.length} inference requests are already waiting; try again in ${seconds} s`, { 'Retry-After': String(seconds) });
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#running = true;
    const t0 = performance.now();
    try {
      return await job();
    } finally {
      this.#meanMs = 0.8 * this.#meanMs + 0.2 * (performance.now() - t0);
      const next = this.#waiting.shift();
      if (next) next();
      else {
        this.#running = false;
        for (const done of this.#idle.splice(0)) done();
      }
    }
  }

  /** Resolves once no job runs or waits (whatever the capacity): before releasing what jobs use. */
  drained(): Promise<void> {
    return this.#running ? new Promise((resolve) => this.#idle.push(resolve)) : Promise.resolve();
  }
}
