"""PyTorch reference for bench/distributed.ts: the WSL training step of bench/torch_wsl.py's model,
in one process or as one rank of torch.nn.parallel.DistributedDataParallel over Gloo (env://:
WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT, set by bench/distributed.ts), with DDP's defaults:
25 MiB buckets, gradient allreduce overlapped with backward, buffers broadcast from rank 0.

    WORLD_SIZE=2 RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29511 /usr/bin/python3 bench/torch_ddp.py --batch 8 --threads 1

Prints one JSON line: {"rank", "world_size", "step_seconds": [...], "torch"}.
"""
import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from torch_common import resnet, set_threads
from torch_wsl import WildcatNet


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--maps", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    a = ap.parse_args()
    px, classes = 192, 10
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    threads = set_threads(a.threads)
    torch.manual_seed(0)
    backbone, _ = resnet(18, num_classes=0, width=0.5, output_stride=16, impl="script")
    net = WildcatNet(backbone, classes, a.maps, 0.2, 0.2, 0.7)
    opt = torch.optim.SGD(
        [{"params": net.backbone.parameters(), "lr": 0.005}, {"params": net.classifier.parameters(), "lr": 0.05}],
        lr=0.05, momentum=0.9, weight_decay=1e-4)
    model = net
    if world > 1:
        dist.init_process_group("gloo", init_method="env://", world_size=world, rank=rank)
        model = torch.nn.parallel.DistributedDataParallel(net)
    rng = np.random.default_rng(1 + rank)
    images = rng.standard_normal((a.batch, 3, px, px), dtype=np.float32)
    labels = np.where(rng.random((a.batch, classes)) < 0.3, 1.0, 0.0).astype(np.float32)
    model.train()
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        x = torch.tensor(images)
        y = torch.tensor(labels)
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    print(json.dumps(dict(rank=rank, world_size=world, step_seconds=times, torch=torch.__version__, torch_threads=threads)), flush=True)


if __name__ == "__main__":
    main()
