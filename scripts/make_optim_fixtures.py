#!/usr/bin/python3
"""Regenerate test/fixtures/optim_reference.json, the torch.optim reference for test/optim/.

Run with Debian's system interpreter (python3-torch lives there, not in the
python3 first on PATH):

    /usr/bin/python3 scripts/make_optim_fixtures.py

Each case runs 5 steps of one torch.optim optimizer on a small fixed problem with
two parameter groups at different learning rates and records the parameters after
every step plus the final optimizer state. The tests never run Python: they rebuild
the same loss with our core ops, run our optimizer and compare.

The problem (parameters A [3,2], B [4], C [2]; data X [5,3], Y [5,2], v [4], u [2]):
    loss(step) = mean((X @ A - Y)^2) + 0.25 * sum(B^4) - sum(B * v)
                 + (step is even ? sum((C * u - 1)^2) : 0)
C takes part only on even steps: on odd steps its grad is None (zero_grad(set_to_none=True)),
so the optimizer must skip it and, for Adam, keep a per-parameter step count.
Groups: group 0 = [A] at the defaults, group 1 = [B, C] with its own overrides.
Hyper-parameter names are written in wildcat-ts' camelCase form.
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'optim_reference.json')
STEPS = 5

INIT = {
    'A': [[0.5, -0.3], [0.8, 0.1], [-0.6, 0.4]],
    'B': [1.2, -0.7, 0.3, -1.5],
    'C': [0.2, -0.4],
}
DATA = {
    'X': [[1.0, 0.5, -0.2], [0.3, -1.1, 0.7], [-0.5, 0.9, 1.3], [1.4, 0.2, -0.8], [0.0, -0.6, 0.4]],
    'Y': [[0.7, -0.2], [-0.4, 0.9], [1.1, 0.3], [0.2, -1.0], [-0.3, 0.5]],
    'v': [0.5, -0.25, 1.0, 0.1],
    'u': [1.5, -2.0],
}

# name -> (torch class, constructor defaults (torch names), group 1 overrides (torch names), dtype)
CASES = {
    'sgd_plain': ('SGD', {'lr': 0.1}, {'lr': 0.03}, torch.float64),
    'sgd_momentum': ('SGD', {'lr': 0.1, 'momentum': 0.9}, {'lr': 0.03}, torch.float64),
    'sgd_nesterov': ('SGD', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}, {'lr': 0.03}, torch.float64),
    'sgd_weight_decay': ('SGD', {'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.01}, {'lr': 0.03, 'weight_decay': 0.1}, torch.float64),
    'sgd_dampening': ('SGD', {'lr': 0.1, 'momentum': 0.8, 'dampening': 0.5}, {'lr': 0.03, 'momentum': 0.5}, torch.float64),
    'sgd_plain_weight_decay': ('SGD', {'lr': 0.1, 'weight_decay': 0.05}, {'lr': 0.03}, torch.float64),
    'sgd_momentum_f32': ('SGD', {'lr': 0.1, 'momentum': 0.9, 'weight_decay': 1e-4}, {'lr': 0.01}, torch.float32),
    'adam': ('Adam', {'lr': 0.01}, {'lr': 0.003}, torch.float64),
    'adam_weight_decay': ('Adam', {'lr': 0.01, 'weight_decay': 0.05, 'betas': (0.8, 0.99), 'eps': 1e-6}, {'lr': 0.003}, torch.float64),
    'adam_amsgrad': ('Adam', {'lr': 0.05, 'amsgrad': True, 'betas': (0.5, 0.6)}, {'lr': 0.02}, torch.float64),
    'adam_f32': ('Adam', {'lr': 0.01}, {'lr': 0.003}, torch.float32),
    'adamw': ('AdamW', {'lr': 0.01, 'weight_decay': 0.1}, {'lr': 0.003, 'weight_decay': 0.5}, torch.float64),
    'adamw_amsgrad': ('AdamW', {'lr': 0.05, 'amsgrad': True, 'betas': (0.5, 0.6)}, {'lr': 0.02}, torch.float64),
}

CAMEL = {'weight_decay': 'weightDecay'}


def camel(d):
    out = {}
    for k, v in d.items():
        if k == 'betas':
            out['beta1'], out['beta2'] = v
        else:
            out[CAMEL.get(k, k)] = v
    return out


def loss_fn(p, d, step):
    loss = ((d['X'] @ p['A'] - d['Y']) ** 2).mean() + 0.25 * (p['B'] ** 4).sum() - (p['B'] * d['v']).sum()
    if step % 2 == 0:
        loss = loss + ((p['C'] * d['u'] - 1) ** 2).sum()
    return loss


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def run(kind, defaults, overrides, dtype):
    p = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in INIT.items()}
    d = {k: torch.tensor(v, dtype=dtype) for k, v in DATA.items()}
    cls = getattr(torch.optim, kind)
    groups = [{'params': [p['A']]}, dict(params=[p['B'], p['C']], **overrides)]
    opt = cls(groups, foreach=False, **defaults)
    steps = []
    for s in range(STEPS):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(p, d, s)
        loss.backward()
        opt.step()
        steps.append({'loss': float(loss), 'params': {k: flat(v) for k, v in p.items()}})
    # Final state, by parameter name, with PyTorch's state names.
    state = {}
    for name, t in p.items():
        st = opt.state.get(t, {})
        entry = {}
        for k, v in st.items():
            if k == 'step':
                entry['step'] = int(float(v))
            elif v is not None:
                entry[k] = flat(v)
        state[name] = entry
    # Sanity: the amsgrad cases must exercise the max (some v_t below its running max).
    if defaults.get('amsgrad'):
        assert any(
            (opt.state[t]['max_exp_avg_sq'] > opt.state[t]['exp_avg_sq']).any().item() for t in p.values()
        ), 'amsgrad case does not exercise max_exp_avg_sq; change betas'
    return steps, state


def training_data():
    """Deterministic logistic-regression data (no RNG): 32 points in 3-D, noisy linear labels."""
    import math
    xs, ys = [], []
    for i in range(32):
        x = [math.sin(1.3 * i + 0.2), math.cos(0.7 * i), math.sin(0.37 * i * i)]
        score = x[0] + 0.5 * x[1] - 0.3 * x[2] + 0.4 * math.sin(7.0 * i)
        xs.append(x)
        ys.append(1.0 if score > 0 else 0.0)
    return xs, ys


def training_run():
    """Full-batch SGD (momentum 0.9, lr 0.5) on logistic regression for 100 steps, float64."""
    xs, ys = training_data()
    X = torch.tensor(xs, dtype=torch.float64)
    y = torch.tensor(ys, dtype=torch.float64)
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=0.5, momentum=0.9, foreach=False)
    losses = []
    for _ in range(100):
        opt.zero_grad(set_to_none=True)
        z = X @ w + b
        loss = -(y * torch.nn.functional.logsigmoid(z) + (1 - y) * torch.nn.functional.logsigmoid(-z)).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    z = X @ w + b
    final = float(-(y * torch.nn.functional.logsigmoid(z) + (1 - y) * torch.nn.functional.logsigmoid(-z)).mean())
    return {
        'description': 'logistic regression, loss = -mean(y*logsigmoid(z) + (1-y)*logsigmoid(-z)), z = X @ w + b, '
                       'w = zeros(3), b = zeros(1), full-batch SGD lr 0.5 momentum 0.9, 100 steps, float64',
        'X': xs, 'y': ys, 'steps': 100, 'lr': 0.5, 'momentum': 0.9,
        'losses': losses, 'finalLoss': final, 'w': flat(w), 'b': flat(b),
    }


def main():
    torch.set_num_threads(1)
    cases = {}
    for name, (kind, defaults, overrides, dtype) in CASES.items():
        steps, state = run(kind, defaults, overrides, dtype)
        cases[name] = {
            'optimizer': kind,
            'dtype': 'float64' if dtype == torch.float64 else 'float32',
            'defaults': camel(defaults),
            'groups': [{'params': ['A']}, dict(params=['B', 'C'], **camel(overrides))],
            'steps': steps,
            'finalState': state,
        }
    doc = {
        'generator': 'scripts/make_optim_fixtures.py',
        'torch': torch.__version__,
        'problem': 'loss(step) = mean((X @ A - Y)^2) + 0.25*sum(B^4) - sum(B*v) + (step even ? sum((C*u - 1)^2) : 0)',
        'steps': STEPS,
        'init': INIT,
        'data': DATA,
        'cases': cases,
        'training': training_run(),
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print('wrote', os.path.relpath(OUT), 'with', len(cases), 'cases')


if __name__ == '__main__':
    main()
