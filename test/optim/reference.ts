// The torch.optim reference (test/fixtures/optim_reference.json, written by
// scripts/make_optim_fixtures.py) and the same small problem rebuilt with our core ops.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { tensor, tidy, type DType, type Tensor } from '../../src/core/index.js';

export interface ReferenceCase {
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  dtype: DType;
  defaults: Record<string, number | boolean>;
  groups: Array<{ params: string[] } & Record<string, unknown>>;
  steps: Array<{ loss: number; params: Record<string, number[]> }>;
  finalState: Record<string, Record<string, number | number[]>>;
}

export interface Reference {
  torch: string;
  steps: number;
  init: Record<string, number[] | number[][]>;
  data: Record<string, number[] | number[][]>;
  cases: Record<string, ReferenceCase>;
  training: {
    X: number[][]; y: number[]; steps: number; lr: number; momentum: number;
    losses: number[]; finalLoss: number; w: number[]; b: number[];
  };
}

function fixturePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'test', 'fixtures', 'optim_reference.json');
    if (existsSync(p)) return p;
    dir = resolve(dir, '..');
  }
  throw new Error('optim tests: test/fixtures/optim_reference.json not found; regenerate it with /usr/bin/python3 scripts/make_optim_fixtures.py');
}

export const reference: Reference = JSON.parse(readFileSync(fixturePath(), 'utf8'));

export type Params = Record<'A' | 'B' | 'C', Tensor>;
export type Data = Record<'X' | 'Y' | 'v' | 'u', Tensor>;

/** Fresh leaf parameters at the reference's initial values (caller disposes). */
export function makeParams(dtype: DType): Params {
  const p = {} as Params;
  for (const k of ['A', 'B', 'C'] as const) p[k] = tensor(reference.init[k]!, { dtype, requiresGrad: true });
  return p;
}

export function makeData(dtype: DType): Data {
  const d = {} as Data;
  for (const k of ['X', 'Y', 'v', 'u'] as const) d[k] = tensor(reference.data[k]!, { dtype });
  return d;
}

/** loss(step) = mean((X@A − Y)²) + ¼Σ B⁴ − Σ B·v + (step even ? Σ (C·u − 1)² : 0); runs backward, returns the loss value. */
export function lossAndBackward(p: Params, d: Data, step: number): number {
  return tidy(() => {
    let loss = d.X.matmul(p.A).sub(d.Y).square().mean().add(p.B.pow(4).sum().mul(0.25)).sub(p.B.mul(d.v).sum());
    if (step % 2 === 0) loss = loss.add(p.C.mul(d.u).sub(1).square().sum());
    loss.backward();
    return loss.item();
  });
}

/** Group specs of a case with parameter names replaced by tensors. */
export function groupsOf(c: ReferenceCase, p: Params): Array<{ params: Tensor[] } & Record<string, unknown>> {
  return c.groups.map(({ params, ...rest }) => ({ params: params.map((n) => p[n as keyof Params]), ...rest }));
}
