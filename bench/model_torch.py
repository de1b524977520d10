"""The model benchmark's training step in PyTorch on the CPU: the anchor `bench/model.ts` prints our ratios against.

The same transformer as the bench times in jax-js (`src/model/transformer.ts` without the pointer head): an MLP
patch embedding, token embeddings and learned positions, the prompt condition added at every position, pre-LN
blocks with a fused QKV projection, attention under the prefix-bidirectional / generated-causal mask, a tanh-GELU
MLP, a final LayerNorm and the vocabulary head over the target positions; cross-entropy, gradient clipping at 1
and AdamW. The prompt condition is a plain mean here (ours pools with learned scores: a few hundred FLOPs).

Usage: python3 bench/model_torch.py '{"batch": 16, "patches": 64, "patch_dim": 1728, ...}'
Prints one JSON object: the step's median milliseconds, the loss of the first step, a 512^3 matmul's GFLOP/s,
torch's version and thread count, and which BLAS library the process loaded.
"""

import json
import math
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F


class Block(nn.Module):
    def __init__(self, d, heads, mlp_ratio):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.mlp_in = nn.Linear(d, mlp_ratio * d)
        self.mlp_out = nn.Linear(mlp_ratio * d, d)

    def forward(self, x, bias):
        b, t, d = x.shape
        dh = d // self.heads
        qkv = self.qkv(self.ln1(x)).reshape(b, t, 3, self.heads, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + bias
        o = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.out(o)
        return x + self.mlp_out(F.gelu(self.mlp_in(self.ln2(x)), approximate="tanh"))


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.c = c
        self.patch_in = nn.Linear(c["patch_dim"], c["patch_hidden"])
        self.patch_out = nn.Linear(c["patch_hidden"], d)
        self.embedding = nn.Embedding(c["vocab"], d)
        self.positions = nn.Parameter(torch.randn(c["sequence"], d) * 0.02)
        self.condition = nn.Linear(d, d, bias=False)
        self.blocks = nn.ModuleList(Block(d, c["heads"], c["mlp_ratio"]) for _ in range(c["layers"]))
        self.final = nn.LayerNorm(d)
        self.head = nn.Linear(d, c["vocab"], bias=False)

    def forward(self, patches, tokens, targets, bias):
        c = self.c
        img = self.patch_out(F.gelu(self.patch_in(patches), approximate="tanh"))
        tok = self.embedding(tokens)
        cond = self.condition(tok[:, : c["prompt"]].mean(1))
        x = torch.cat([img, tok], 1) + self.positions + cond[:, None]
        for block in self.blocks:
            x = block(x, bias)
        start = c["patches"] + c["prompt"] - 1
        h = self.final(x[:, start : start + c["target"]])
        logits = self.head(h)
        return F.cross_entropy(logits.reshape(-1, c["vocab"]), targets.reshape(-1))


def structure_bias(c):
    """0 where a position may attend, -1e9 elsewhere: the prefix sees itself, the generated part is causal."""
    t = c["sequence"]
    prefix = c["patches"] + c["prompt"]
    allowed = torch.tril(torch.ones(t, t))
    allowed[:prefix, :prefix] = 1
    return (allowed - 1) * 1e9


def loaded_blas():
    """The BLAS shared library this process mapped (reference netlib BLAS makes PyTorch several times slower)."""
    try:
        with open("/proc/self/maps") as maps:
            names = {line.split()[-1] for line in maps if "blas" in line.lower()}
    except OSError:
        return "unknown"
    return ", ".join(sorted(n.rsplit("/", 1)[-1] for n in names)) or "none"


def median_ms(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    c = json.loads(sys.argv[1])
    torch.set_num_threads(c["threads"])
    torch.manual_seed(0)
    model = Model(c)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0.01)
    bias = structure_bias(c)
    b = c["batch"]
    losses = []

    def step():
        patches = torch.randn(b, c["patches"], c["patch_dim"])
        tokens = torch.randint(6, c["vocab"], (b, c["prompt"] + c["target"]))
        targets = torch.randint(6, c["vocab"], (b, c["target"]))
        optimizer.zero_grad(set_to_none=True)
        loss = model(patches, tokens, targets, bias)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())

    step_ms = median_ms(step, 1, 5)
    a = torch.randn(512, 512)
    m = torch.randn(512, 512)
    matmul_ms = median_ms(lambda: a @ m, 2, 7)
    print(
        json.dumps(
            {
                "step_ms": step_ms,
                "first_loss": losses[0],
                "matmul_512_gflops": 2 * 512**3 / (matmul_ms / 1000) / 1e9,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "blas": loaded_blas(),
                "parameters": sum(p.numel() for p in model.parameters()),
            }
        )
    )


if __name__ == "__main__":
    main()
