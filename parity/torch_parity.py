"""PyTorch side of the lockstep guard (parity/parity.ts): runs each case's training steps directly
in PyTorch and writes the losses and final weights, for comparison with ours.

For each case of the JSON spec: builds the model with our parameter names (bench/torch_common.py's
ResNet in torchvision's layout, plus `classifier`, the 1x1 transfer layer), loads OUR initial
weights from safetensors, then runs the steps on the saved batches with torch.optim.SGD and the
schedule and loss written here from their definitions:
- WSL: class-wise mean over the M maps (channel c*M + m), spatial pooling (WILDCAT: mean of the k+
  highest + alpha * mean of the k- lowest regions, k a fraction of the regions rounded half to even,
  at least 1; max; mean; LSE (1/r) log mean exp(r z)), the multi-label logistic loss as BCE with
  logits on labels mapped {1, -1} -> {1, 0}, or the structured AP ranking loss (TPAMI 2019
  section 5.1.2; loss-augmented inference by Yue et al., SIGIR 2007); SGD with momentum and weight
  decay, backbone at lr * backbone_lr_scale; lr factor at epoch t = e + b / steps_per_epoch:
  0.1 + 0.9 t / w during a warm-up of w epochs, then (1 + cos(pi (t - w) / (E - w))) / 2.
- Pre-training: the ResNet with its fc, cross-entropy, SGD with Nesterov momentum, per-step
  warm-up then cosine to 0 at the last step.
Everything in train mode (BatchNorm uses batch statistics and updates its running ones), one
thread. Driven by parity/parity.ts over stdin/stdout (see serve()):

    /usr/bin/python3 parity/torch_parity.py
"""
import json
import math
import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from torch_common import resnet  # noqa: E402

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8}
_CODES = {v: k for k, v in _DTYPES.items()}


def read_safetensors(path):
    """name -> tensor (the safetensors layout: u64 header length, JSON header, raw little-endian data)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        buf = bytearray(data[base + start:base + end])
        t = torch.frombuffer(buf, dtype=_DTYPES[info["dtype"]]) if len(buf) else torch.empty(0, dtype=_DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": _CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def resolve_k(k, n):
    """A fraction in (0, 1): max(1, round_half_even(k n)); a count >= 1: floor(k); 0 disables."""
    if k <= 0:
        return 0
    if k < 1:
        return min(n, max(1, round(k * n)))  # Python's round is half to even
    return min(n, int(k))


def spatial_pool(x, p):
    b, c, h, w = x.shape
    z = x.reshape(b, c, h * w)
    kind = p["kind"]
    if kind == "max":
        return z.max(2)[0]
    if kind == "gap":
        return z.mean(2)
    if kind == "lse":
        r = p["r"]
        return (torch.logsumexp(r * z, 2) - math.log(h * w)) / r
    if kind == "wildcat":
        n = h * w
        kmax, kmin, alpha = resolve_k(p["kmax"], n), resolve_k(p.get("kmin", 0), n), p.get("alpha", 1)
        s = torch.sort(z, 2, descending=True)[0]
        out = s[:, :, :kmax].mean(2)
        if kmin > 0 and alpha != 0:
            out = out + alpha * s[:, :, n - kmin:].mean(2)
        return out / 2 if p.get("halve") and kmin > 0 and alpha != 0 else out
    raise ValueError("unknown pooling %r" % kind)


class WildcatNet(nn.Module):
    def __init__(self, backbone, classes, maps, pooling):
        super().__init__()
        self.backbone = backbone
        self.classifier = nn.Conv2d(backbone.out_channels, classes * maps, 1)
        self.maps, self.pooling = maps, pooling

    def forward(self, x):
        m = self.classifier(self.backbone.features(x))
        if self.maps > 1:
            b, cm, h, w = m.shape
            m = m.view(b, cm // self.maps, self.maps, h, w).mean(2)
        return spatial_pool(m, self.pooling)


def ap_loss_augmented(sp, sn):
    """Yue et al. 2007: the ranking maximizing Delta_AP + psi. Returns (Delta_AP, dloss/dsp, dloss/dsn).

    Both groups stay in score order; negative j (sorted) goes below the k_j best positives, k_j
    maximizing the prefix sums of -d(k, j)/P + 2 (s_k - s_j) / (P N), d(i, j) = i / ((i + j)(i + j - 1)).
    """
    P, N = len(sp), len(sn)
    pos = sorted(range(P), key=lambda i: (-sp[i], i))
    neg = sorted(range(N), key=lambda i: (-sn[i], i))
    below = [0] * P  # negatives ranked above each sorted positive
    above = [0] * N  # positives ranked above each negative (input order)
    for j in range(1, N + 1):
        s_n = sn[neg[j - 1]]
        acc, best, best_k = 0.0, 0.0, 0
        for k in range(1, P + 1):
            acc += -k / ((k + j) * (k + j - 1)) / P + 2 * (sp[pos[k - 1]] - s_n) / (P * N)
            if acc > best:
                best, best_k = acc, k
        above[neg[j - 1]] = best_k
        for i in range(best_k, P):
            below[i] += 1
    ap = sum((i + 1) / (i + 1 + below[i]) for i in range(P)) / P
    gpos = [0.0] * P
    for i in range(P):
        gpos[pos[i]] = -2 * below[i] / (P * N)
    gneg = [2 * (P - above[n]) / (P * N) for n in range(N)]
    return 1 - ap, gpos, gneg


def ap_ranking_loss(scores, labels):
    """Mean over classes with both positives and negatives of Delta_AP + psi(y~) - psi(y*), as
    sum(coef * s) + Delta with the coefficients of the most violating ranking (a subgradient)."""
    s = scores.detach().double().tolist()
    y = labels.tolist()
    b, c = scores.shape
    coef = torch.zeros(b, c, dtype=torch.float64)
    delta, classes = 0.0, 0
    for k in range(c):
        pos = [i for i in range(b) if y[i][k] == 1]
        neg = [i for i in range(b) if y[i][k] == -1]
        if not pos or not neg:
            continue
        d, gp, gn = ap_loss_augmented([s[i][k] for i in pos], [s[i][k] for i in neg])
        for i, g in zip(pos, gp):
            coef[i, k] = g
        for i, g in zip(neg, gn):
            coef[i, k] = g
        delta += d
        classes += 1
    scale = 1 / classes if classes else 1
    return (scores * (coef * scale).to(scores.dtype)).sum() + delta * scale


class Case:
    """One case: its model, optimizer, schedule, loss and saved batches."""

    def __init__(self, spec):
        self.spec = spec
        data = read_safetensors(spec["files"]["batches"])
        self.images, self.labels = data["images"], data["labels"]
        self.init = read_safetensors(spec["files"]["init"])
        if spec["kind"] == "wsl":
            backbone, _ = resnet(spec["depth"], num_classes=0, width=spec["width"], output_stride=spec["output_stride"], impl="script")
            self.net = WildcatNet(backbone, self.labels.shape[2], spec["maps"], spec["pooling"])
            lr = spec["lr"]
            self.opt = torch.optim.SGD(
                [{"params": self.net.backbone.parameters(), "lr": lr * spec["backbone_lr_scale"]},
                 {"params": self.net.classifier.parameters(), "lr": lr}],
                lr=lr, momentum=spec["momentum"], weight_decay=spec["weight_decay"])
        else:
            self.net, _ = resnet(spec["depth"], num_classes=self.init["fc.weight"].shape[0], width=spec["width"], output_stride=32, impl="script")
            self.opt = torch.optim.SGD(self.net.parameters(), lr=spec["lr"], momentum=spec["momentum"],
                                       weight_decay=spec["weight_decay"], nesterov=spec["nesterov"])
        self.base_lrs = [g["lr"] for g in self.opt.param_groups]
        self.params = [p for g in self.opt.param_groups for p in g["params"]]
        self.reset()

    def reset(self):
        """Our initial weights, no optimizer state."""
        self.net.load_state_dict(self.init, strict=True)
        self.opt.state.clear()
        self.net.train()

    def lr_factor(self, step):
        s = self.spec
        if s["kind"] == "wsl":
            # The schedule is applied at epoch + b / steps_per_epoch, in epochs.
            nb = s["steps_per_epoch"]
            t, w, total = step // nb + (step % nb) / nb, s["warmup_epochs"], s["epochs"]
        else:
            t, w, total = step, s["warmup_steps"], s["total_steps"]
        if t < w:
            return 0.1 + 0.9 * t / w
        return 0.5 * (1 + math.cos(math.pi * min(t - w, total - w) / (total - w)))

    def step(self, k):
        """Step k (0-based) from the current state; returns the loss before the update."""
        f = self.lr_factor(k)
        for g, b0 in zip(self.opt.param_groups, self.base_lrs):
            g["lr"] = b0 * f
        out = self.net(self.images[k])
        y = self.labels[k]
        if self.spec["kind"] == "pretrain":
            loss = F.cross_entropy(out, y)
        elif self.spec["loss"] == "logistic":
            loss = F.binary_cross_entropy_with_logits(out, (y + 1) / 2)
        elif self.spec["loss"] == "ap":
            loss = ap_ranking_loss(out, y)
        else:
            raise ValueError("unknown loss %r" % self.spec["loss"])
        value = loss.item()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return value

    def load_state(self, path):
        """Our state before a step: weights and BatchNorm buffers by name, momentum buffers as
        state.<i>.momentum_buffer (i = the parameter's index over the groups, as torch's own
        optimizer state dicts number them)."""
        state = read_safetensors(path)
        self.net.load_state_dict({k: v for k, v in state.items() if not k.startswith("state.")}, strict=True)
        self.opt.state.clear()
        for i, p in enumerate(self.params):
            buf = state.get("state.%d.momentum_buffer" % i)
            if buf is not None:
                self.opt.state[p]["momentum_buffer"] = buf.clone()


def serve():
    """One JSON command per stdin line, one JSON reply per stdout line:
    {"cmd": "case", "spec": {...}} -> {"ready": true}; {"cmd": "free"} -> {"losses": [...]} (all
    steps from the initial weights, final weights written to files.free); {"cmd": "step", "k": k,
    "state": PATH, "out": PATH} -> {"loss": x} (step k from our state in PATH, weights after it
    written to out); {"cmd": "quit"}."""
    torch.set_num_threads(1)
    out = sys.stdout
    out.write(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}) + "\n")
    out.flush()
    case = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
            cmd = msg["cmd"]
            if cmd == "quit":
                break
            if cmd == "case":
                case = Case(msg["spec"])
                reply = {"ready": True}
            elif cmd == "free":
                case.reset()
                losses = [case.step(k) for k in range(case.spec["steps"])]
                write_safetensors(case.spec["files"]["free"], case.net.state_dict())
                reply = {"losses": losses}
            elif cmd == "step":
                case.load_state(msg["state"])
                loss = case.step(msg["k"])
                write_safetensors(msg["out"], case.net.state_dict())
                reply = {"loss": loss}
            else:
                raise ValueError("unknown command %r" % cmd)
        except Exception as e:  # report and keep serving: the driver decides
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    serve()
