// The defaults of the soft poolings (LSE, generalized max+min), defined once and tensor-free, so
// that code without the engine (the studio page) fills in an omitted option as the engine does.
import type { GeneralizedPoolOptions } from './generalizedPool.js';
import { WILDCAT_DEFAULTS } from './resolveWildcat.js';

/** The default of the LSE sharpness, defined once (API, CLI, trainer): r = 5. */
export const LSE_DEFAULTS: Readonly<{ r: number }> = Object.freeze({ r: 5 });

/**
 * The defaults of the generalized pooling, defined once (API, CLI, trainer): β⁺ = 10, β⁻ = −10,
 * and α = WILDCAT_DEFAULTS.alpha (the same weight of negative evidence as WILDCAT).
 */
export const GENERALIZED_DEFAULTS: Readonly<Required<GeneralizedPoolOptions>> = Object.freeze({ betaPos: 10, betaNeg: -10, alpha: WILDCAT_DEFAULTS.alpha });
