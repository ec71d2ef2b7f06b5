#!/usr/bin/python3
"""float32 GEMM throughput of PyTorch, for `npm run bench -- gemm`.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch/gemm.py --threads 1 128x128x128 256x256x256

Set OPENBLAS_NUM_THREADS to the same count as --threads (the bench does): Debian's torch uses
OpenBLAS as a generic BLAS, so torch.set_num_threads does not limit OpenBLAS's own threads.

Each shape is MxKxN; prints one JSON object per shape: m, k, n, threads, ms (median per call),
gflops, torch (version). Timing: one untimed call, then calls until --min-ms have passed (at
least 3), the median of them.
"""

import argparse
import json
import time

import torch


def median_ms(fn, min_ms):
    fn()
    times = []
    spent = 0.0
    while spent < min_ms or len(times) < 3:
        t0 = time.perf_counter()
        fn()
        dt = (time.perf_counter() - t0) * 1000.0
        times.append(dt)
        spent += dt
    times.sort()
    mid = len(times) // 2
    return times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--min-ms", type=float, default=400.0)
    parser.add_argument("shapes", nargs="+")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for shape in args.shapes:
        m, k, n = (int(v) for v in shape.split("x"))
        a = torch.rand(m, k, dtype=torch.float32) - 0.5
        b = torch.rand(k, n, dtype=torch.float32) - 0.5
        out = torch.empty(m, n, dtype=torch.float32)
        ms = median_ms(lambda: torch.matmul(a, b, out=out), args.min_ms)
        record = {
            "m": m, "k": k, "n": n, "threads": torch.get_num_threads(), "ms": ms,
            "gflops": 2.0 * m * k * n / (ms * 1e6), "torch": torch.__version__,
        }
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
