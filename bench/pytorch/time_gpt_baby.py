#!/usr/bin/python3
"""Milliseconds per training step of the `baby` (or --preset small) GPT preset in PyTorch, for `npm run bench -- train-gpt`.

  /usr/bin/python3 bench/pytorch/time_gpt_baby.py --threads 1 --iters 20 --warmup 3

The model, data, optimizer (AdamW, two parameter groups), learning-rate schedule and the
training step are those of train_gpt_baby.py, imported from it, so the step timed here is
the step that script trains with: get_lr, get_batch, forward, zero_grad, backward,
clip_grad_norm_(1.0), optimizer.step, loss.item(). No evaluation is run. train_gpt_baby.py
reports a mean over its evaluation interval including the first steps; this script runs
--warmup untimed steps, then times --iters steps one by one and reports their median.

Run it from the repository root with Debian's /usr/bin/python3 (python3-torch imports only
there). --threads N sets torch's threads and OPENBLAS_NUM_THREADS (before torch is loaded,
through train_gpt_baby.py). Prints one JSON object: threads, blasThreads, warmup, iters,
msPerIter (the median), cpuMsPerIter (the median of the process's CPU time per step), meanMs, minMs, maxMs, firstLoss, lastLoss, torch.
"""

import argparse
import json
import math
import os
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iters", type=int, default=20, help="timed steps (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--preset", default="baby", help="baby or small (train_gpt_baby.py's presets)")
    return parser.parse_args()


def main():
    args = parse_args()
    if args.iters < 1 or args.warmup < 0:
        sys.exit("time_gpt_baby.py: --iters must be >= 1 and --warmup >= 0")
    # train_gpt_baby.py reads its options when it is imported: give it only the thread count
    # (it sets OPENBLAS_NUM_THREADS before it imports torch) and the seed.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    argv = [sys.argv[0], "--seed", str(args.seed), "--preset", args.preset]
    if args.threads is not None:
        argv += ["--threads", str(args.threads)]
    sys.argv = argv
    import train_gpt_baby as baby  # noqa: E402  (after sys.argv is set)

    torch = baby.torch
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    text = baby.load_moby_dick()
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    ids = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    n_train = round(len(ids) * baby.TRAIN_FRACTION)
    train = ids[:n_train]

    torch.manual_seed(args.seed)
    model = baby.GPT(len(chars))
    groups, _, _ = model.param_groups()
    optimizer = torch.optim.AdamW(groups, lr=baby.LEARNING_RATE, betas=baby.BETAS, eps=1e-8)
    generator = torch.Generator().manual_seed(args.seed)
    model.train()

    def step(it):
        lr = baby.get_lr(it)
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = baby.get_batch(train, generator)
        loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), baby.GRAD_CLIP)
        optimizer.step()
        value = loss.item()
        if not math.isfinite(value):
            sys.exit(f"time_gpt_baby.py: loss is {value} at iteration {it}")
        return value

    first_loss = None
    for it in range(args.warmup):
        value = step(it)
        first_loss = value if first_loss is None else first_loss
    times = []
    cpu = []
    last_loss = None
    for it in range(args.warmup, args.warmup + args.iters):
        c0 = time.process_time()
        t0 = time.perf_counter()
        last_loss = step(it)
        times.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
        first_loss = last_loss if first_loss is None else first_loss
    ordered = sorted(times)

    def median(values):
        values = sorted(values)
        mid = len(values) // 2
        return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    print(
        json.dumps(
            {
                "threads": torch.get_num_threads(),
                "blasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                "warmup": args.warmup,
                "iters": args.iters,
                "msPerIter": round(median(times), 3),
                "cpuMsPerIter": round(median(cpu), 3),
                "meanMs": round(sum(times) / len(times), 3),
                "minMs": round(ordered[0], 3),
                "maxMs": round(ordered[-1], 3),
                "firstLoss": round(first_loss, 4),
                "lastLoss": round(last_loss, 4),
                "torch": torch.__version__,
                "preset": args.preset,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
