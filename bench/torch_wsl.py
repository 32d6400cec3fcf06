"""PyTorch reference for bench/wsl.ts: the WSL training step of our default model.

Half-width ResNet-18 (our script ResNet: torchvision cannot narrow widths nor dilate a
BasicBlock), output stride 16, a 1x1 transfer layer to C*M maps, class-wise mean over the M maps,
WILDCAT spatial pooling (one descending sort per map, the official code's way: mean of the k+
highest + alpha * mean of the k- lowest, not halved, as our default), the multi-label logistic
loss as BCE with logits on labels mapped from {1, -1} to {1, 0}, and SGD with momentum over two
parameter groups (backbone at lr * backbone_lr_scale, the new layer at lr).

Each memory layout of --formats gets its own model: contiguous (phase train) and channels-last
(train_cl: net.to(memory_format=torch.channels_last), inputs likewise).

Driven by bench/wsl.ts through --serve; alone it warms up, times and prints the median:
    /usr/bin/python3 bench/torch_wsl.py --threads 2
"""
import argparse
import sys

sys.dont_write_bytecode = True  # no __pycache__ in bench/

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_common import memory_formats, resnet, run_standalone, serve, set_threads


def resolve_k(k, n):
    """Our resolveK: a fraction in (0, 1) is max(1, round_half_even(k * n)), a count is floor(k)."""
    if k <= 0:
        return 0
    if k < 1:
        return min(n, max(1, round(k * n)))  # Python's round is half-to-even
    return min(n, int(k))


class ClassWisePool(nn.Module):
    """[B, C*M, H, W] -> [B, C, H, W]: the mean of each class's M maps (channel c*M + m)."""

    def __init__(self, maps):
        super().__init__()
        self.maps = maps

    def forward(self, x):
        if self.maps == 1:  # as ours: no class-wise pooling with one map per class
            return x
        b, cm, h, w = x.shape
        return x.view(b, cm // self.maps, self.maps, h, w).mean(2)


class WildcatPool2d(nn.Module):
    """[B, C, H, W] -> [B, C]: mean of the k+ highest regions + alpha * mean of the k- lowest."""

    def __init__(self, kmax, kmin, alpha):
        super().__init__()
        self.kmax, self.kmin, self.alpha = kmax, kmin, alpha

    def forward(self, x):
        b, c, h, w = x.shape
        n = h * w
        kmax, kmin = resolve_k(self.kmax, n), resolve_k(self.kmin, n)
        s = torch.sort(x.view(b, c, n), dim=2, descending=True)[0]
        out = s.narrow(2, 0, kmax).mean(2)
        if kmin > 0 and self.alpha != 0:
            out = out + self.alpha * s.narrow(2, n - kmin, kmin).mean(2)
        return out


class WildcatNet(nn.Module):
    def __init__(self, backbone, num_classes, maps, kmax, kmin, alpha):
        super().__init__()
        self.backbone = backbone
        self.classifier = nn.Conv2d(backbone.out_channels, num_classes * maps, 1)
        self.class_wise = ClassWisePool(maps)
        self.spatial = WildcatPool2d(kmax, kmin, alpha)

    def forward(self, x):
        return self.spatial(self.class_wise(self.classifier(self.backbone.features(x))))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--px", type=int, default=192)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--maps", type=int, default=1)
    ap.add_argument("--width", type=float, default=0.5)
    ap.add_argument("--depth", type=int, default=18)
    ap.add_argument("--output-stride", type=int, default=16)
    ap.add_argument("--kmax", type=float, default=0.2)
    ap.add_argument("--kmin", type=float, default=0.2)
    ap.add_argument("--alpha", type=float, default=0.7)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--backbone-lr-scale", type=float, default=0.1)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--serve", action="store_true", help="answer JSON commands on stdin (used by bench/wsl.ts)")
    ap.add_argument("--formats", default="contiguous,channelsLast", help="memory layouts: contiguous, channelsLast")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=6)
    a = ap.parse_args()

    threads = set_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    images = rng.standard_normal((a.batch, 3, a.px, a.px), dtype=np.float32)
    labels = np.where(rng.random((a.batch, a.classes)) < 0.3, 1, -1).astype(np.float32)
    job = {}
    source = None
    for suffix, memory_format in memory_formats(a.formats):
        torch.manual_seed(a.seed)
        backbone, source = resnet(a.depth, num_classes=0, width=a.width, output_stride=a.output_stride, impl="script")
        net = WildcatNet(backbone, a.classes, a.maps, a.kmax, a.kmin, a.alpha).to(memory_format=memory_format)
        opt = torch.optim.SGD(
            [{"params": net.backbone.parameters(), "lr": a.lr * a.backbone_lr_scale}, {"params": net.classifier.parameters(), "lr": a.lr}],
            lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay)

        def train(net=net, opt=opt, memory_format=memory_format):
            net.train()
            x = torch.tensor(images).contiguous(memory_format=memory_format)  # copies, as our side does from its Float32Array
            y = torch.tensor(labels)
            loss = F.binary_cross_entropy_with_logits(net(x), (y + 1) / 2)
            value = loss.item()
            opt.zero_grad(set_to_none=True)  # what our zeroGrad() does
            loss.backward()
            opt.step()
            return value

        job["train" + suffix] = train

    info = dict(torch=torch.__version__, torch_threads=threads, resnet_source=source)
    if a.serve:
        serve(job, info)
    else:
        run_standalone(job, dict(bench="wsl", px=a.px, batch=a.batch, **info), a.warmup, a.steps)


if __name__ == "__main__":
    main()
