// Where the log-mean-exp of LSE and generalized pooling switches to its exact limits. Pure (no
// tensor import) so that the studio page evaluates the same limits as the engine.

/** |β| below this is evaluated as the β = 0 limit (the mean), above BETA_INFINITE as ±∞ (max / min). */
export const BETA_ZERO = 1e-30;
/** See BETA_ZERO. Beyond 1e30 the formula differs from max/min by < log(n)·1e-30 and β no longer fits float32 safely. */
export const BETA_INFINITE = 1e30;
