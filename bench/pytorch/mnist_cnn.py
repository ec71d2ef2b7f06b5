#!/usr/bin/python3
"""Milliseconds per training step of the MNIST CNN in PyTorch, for `npm run bench -- vision`.

  /usr/bin/python3 bench/pytorch/mnist_cnn.py --threads 1 --batch 64 --iters 20 --warmup 3

The model is infiniset's `train cnn` default (src/models/cnn/cnn.ts): conv 1→32 (3×3,
padding 1) → ReLU → 2×2 max pool → conv 32→64 (3×3, padding 1) → ReLU → 2×2 max pool →
flatten → linear 3136→128 → ReLU → dropout 0.25 → linear 128→10, the input standardised
first ((x − mean) / std). A step: zero_grad, forward, cross-entropy, backward, Adam
(lr 1e-3), loss.item(). The batches are fixed random 28×28 images in [0, 1] with random
labels (the time does not depend on the values). --threads N sets torch's threads and
OPENBLAS_NUM_THREADS before torch loads. Prints one JSON object: threads, batch, warmup,
iters, msPerIter (the median step), cpuMsPerIter (the median CPU time of the process
per step), minMs, meanMs, torch.
"""

import argparse
import json
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    if args.iters < 1 or args.warmup < 0 or args.batch < 1:
        sys.exit("mnist_cnn.py: --iters and --batch must be >= 1, --warmup >= 0")
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    mean, std = 0.1307, 0.3081

    def step():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model((x - mean) / std), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    cpu = []
    for _ in range(args.iters):
        start, cpu_start = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    ordered = sorted(times)
    print(json.dumps({
        "threads": args.threads, "batch": args.batch, "warmup": args.warmup, "iters": args.iters,
        "msPerIter": ordered[len(ordered) // 2], "minMs": ordered[0], "meanMs": sum(times) / len(times),
        "cpuMsPerIter": sorted(cpu)[len(cpu) // 2],
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
