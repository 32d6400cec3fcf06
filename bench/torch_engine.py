"""PyTorch reference for bench/engine.ts: one ResNet training step (SGD with momentum,
cross-entropy) and one inference (eval mode, no grad), with the thread count set explicitly,
in each memory layout of --formats: contiguous (phases train, infer, infer_fused) and
channels-last (train_cl, infer_cl, infer_fused_cl: model.to(memory_format=torch.channels_last),
inputs likewise). infer_fused is PyTorch's own fused inference path, the counterpart of our
--inference fused: torch.jit.freeze (BatchNorm folded into the convolutions) and
torch.jit.optimize_for_inference (prepacked oneDNN convolutions with fused ReLU).

Driven by bench/engine.ts (and the pre-training part of bench/wsl.ts) through --serve: one JSON
command per stdin line (see torch_common.serve). Alone it warms up, times and prints medians:
    /usr/bin/python3 bench/torch_engine.py --model resnet18 --px 224 --batch 8 --threads 2
"""
import argparse
import copy
import sys

sys.dont_write_bytecode = True  # no __pycache__ in bench/

import numpy as np
import torch
import torch.nn.functional as F

from torch_common import memory_formats, resnet, run_standalone, serve, set_threads


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="resnet18", help="resnet18 | resnet34 | resnet50 | resnet101 | resnet152")
    ap.add_argument("--px", type=int, default=224)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--width", type=float, default=1.0, help="width multiplier (1 = torchvision's widths)")
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--nesterov", action="store_true")
    ap.add_argument("--impl", default="auto", choices=["auto", "torchvision", "script"], help="where the ResNet comes from")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--serve", action="store_true", help="answer JSON commands on stdin (used by the TypeScript benches)")
    ap.add_argument("--formats", default="contiguous,channelsLast", help="memory layouts: contiguous, channelsLast")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=6)
    a = ap.parse_args()

    threads = set_threads(a.threads)
    depth = int(a.model.replace("resnet", ""))
    rng = np.random.default_rng(a.seed)
    images = rng.standard_normal((a.batch, 3, a.px, a.px), dtype=np.float32)
    labels = rng.integers(0, a.classes, size=a.batch).astype(np.int64)
    job = {}
    source = None
    for suffix, memory_format in memory_formats(a.formats):
        torch.manual_seed(a.seed)
        net, source = resnet(depth, num_classes=a.classes, width=a.width, impl=a.impl)
        net = net.to(memory_format=memory_format)
        opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay, nesterov=a.nesterov)

        def train(net=net, opt=opt, memory_format=memory_format):
            net.train()
            x = torch.tensor(images).contiguous(memory_format=memory_format)  # copies, as our side does from its Float32Array
            y = torch.tensor(labels)
            loss = F.cross_entropy(net(x), y)
            value = loss.item()
            opt.zero_grad(set_to_none=True)  # what our zeroGrad() does
            loss.backward()
            opt.step()
            return value

        def infer(net=net, memory_format=memory_format):
            net.eval()
            with torch.no_grad():
                x = torch.tensor(images).contiguous(memory_format=memory_format)
                return float(net(x)[0, 0])

        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(copy.deepcopy(net).eval())))

        def infer_fused(frozen=frozen, memory_format=memory_format):
            with torch.no_grad():
                x = torch.tensor(images).contiguous(memory_format=memory_format)
                return float(frozen(x)[0, 0])

        job["train" + suffix] = train
        job["infer" + suffix] = infer
        job["infer_fused" + suffix] = infer_fused

    info = dict(torch=torch.__version__, torch_threads=threads, resnet_source=source)
    if a.serve:
        serve(job, info)
    else:
        run_standalone(job, dict(model=a.model, px=a.px, batch=a.batch, **info), a.warmup, a.steps)


if __name__ == "__main__":
    main()
