// Loader of the WILDCAT reference values (test/wsl/fixtures/wildcat_ref.json): inputs, outputs and
// input gradients in float64 from the official WILDCAT code, which halves (see its `semantics` block).
import { readFileSync } from 'node:fs';
import { tensor, type Tensor } from '../../src/core/index.js';

export interface RefTensor {
  shape: number[];
  data: number[];
}

export interface RefCase {
  name: string;
  op: 'wildcat' | 'weldon' | 'class_wise' | 'wildcat_head' | 'lse' | 'gap' | 'gmp';
  params: Record<string, number | null>;
  input: 'x' | 'x_tie';
  note: string;
  output: RefTensor;
  g: RefTensor;
  grad_input: RefTensor;
  resolved?: { n: number; kmax_resolved: number; kmin_resolved: number; min_term_active?: boolean };
  tie_case?: boolean;
  official_grad_input_scale?: number;
}

export interface Reference {
  semantics: Record<string, string>;
  resolve_k_table: { k: number; n: number; resolved: number }[];
  inputs: Record<'x' | 'x_tie', RefTensor>;
  cases: RefCase[];
}

// dist/test/wsl/ → the source tree's test/wsl/fixtures/.
const file = new URL('../../../test/wsl/fixtures/wildcat_ref.json', import.meta.url);

export const reference: Reference = JSON.parse(readFileSync(file, 'utf8'));

/** A float64 tensor from a reference entry. */
export function refTensor(t: RefTensor, requiresGrad = false): Tensor {
  return tensor(Float64Array.from(t.data), { shape: t.shape, requiresGrad });
}
