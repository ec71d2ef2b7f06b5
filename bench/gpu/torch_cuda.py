#!/usr/bin/env python3
"""PyTorch CUDA beside infiniset's webgpu target, for bench/gpu/run.sh: the same figures.

  python3 bench/gpu/torch_cuda.py [--quick]

Prints one JSON object per line: gemm (4096² float32, TF32 off, and with TF32 on for
reference), copy (device-to-device bandwidth over 256 MiB, read + write), gemv
(1×8192 · 8192×8192, GB/s of the matrix read) and train-gpt-small (ms per training step of
infiniset's `small` GPT preset: 6 layers, 6 heads, 384 wide, block 256, batch 12, dropout
off as in bench/src/gpu.ts, a 65-character vocabulary, AdamW, clipping at 1, the loss read
back each step), each the median of timed
runs after warm-up, with torch.cuda.synchronize() closing every run.
"""

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--quick", action="store_true")
ARGS = parser.parse_args()
DEV = "cuda"


def emit(record):
    record["impl"] = "pytorch-cuda"
    print(json.dumps(record), flush=True)


def median_ms(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def gemm():
    n = 512 if ARGS.quick else 4096
    a = torch.randn(n, n, device=DEV)
    b = torch.randn(n, n, device=DEV)
    for tf32 in (False, True):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        ms = median_ms(lambda: a @ b, 20)
        emit({"figure": "gemm", "n": n, "tf32": tf32, "ms": ms, "gflops": 2 * n**3 / (ms * 1e6)})
    torch.backends.cuda.matmul.allow_tf32 = False


def gemv():
    n = 1024 if ARGS.quick else 8192
    w = torch.randn(n, n, device=DEV)
    x = torch.randn(1, n, device=DEV)
    out = torch.empty_like(w)
    nbytes = n * n * 4
    copy_ms = median_ms(lambda: out.copy_(w), 20)
    gemv_ms = median_ms(lambda: x @ w, 50)
    copy = 2 * nbytes / (copy_ms * 1e6)
    gbps = nbytes / (gemv_ms * 1e6)
    emit({"figure": "copy", "bytes": nbytes, "ms": copy_ms, "gbps": copy})
    emit({"figure": "gemv", "shape": f"1x{n}x{n}", "ms": gemv_ms, "gbps": gbps, "fractionOfCopy": gbps / copy})


class Block(nn.Module):
    """A GPT-2 block as infiniset's TransformerBlock: pre-norm attention and GELU MLP, with biases."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.out = nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
        att = att.masked_fill(torch.ones(t, t, device=x.device, dtype=torch.bool).triu(1), float("-inf"))
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab, block, layers, heads, d):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.lnf = nn.LayerNorm(d)

    def forward(self, ids, targets):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        for block in self.blocks:
            x = block(x)
        logits = self.lnf(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def train():
    layers, heads, d, block, batch = (1, 2, 32, 16, 2) if ARGS.quick else (6, 6, 384, 256, 12)
    vocab = 65
    torch.manual_seed(1337)
    model = Gpt(vocab, block, layers, heads, d).to(DEV)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and "wte" not in n and "wpe" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.dim() == 2 and "wte" not in n and "wpe" not in n)]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99)
    )
    g = torch.Generator(device=DEV).manual_seed(1)
    losses = []

    def step():
        ids = torch.randint(vocab, (batch, block), device=DEV, generator=g)
        targets = torch.randint(vocab, (batch, block), device=DEV, generator=g)
        loss = model(ids, targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())

    ms = median_ms(step, 3 if ARGS.quick else 10)
    tokens = batch * block
    emit(
        {
            "figure": "train-gpt-small",
            "batch": batch,
            "block": block,
            "ms": ms,
            "tokensPerSecond": tokens / ms * 1000,
            "loss": losses[-1],
        }
    )


if __name__ == "__main__":
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    emit({"figure": "device", "name": torch.cuda.get_device_name(0), "torch": torch.__version__})
    for figure in (gemm, gemv, train):
        try:
            figure()
        except Exception as error:  # one figure failing does not lose the others
            emit({"figure": figure.__name__, "error": str(error).splitlines()[0]})
