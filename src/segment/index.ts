/**
 * Semantic segmentation from a network trained with image-level labels only.
 */
export * from './denseCrf.js';
export * from './denseCrfBruteForce.js';
