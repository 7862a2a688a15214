#!/usr/bin/env python3
"""The baseline for bench/train.sh: the same masked-diffusion training steps as TrainBench.java, written in plain
PyTorch, on a model of the same shape (read from the checkpoint's config.json; weights random, speed does not
depend on them).

A LLaDA-shaped decoder: RMSNorm, rotary positions (rotate-half), multi-head attention without a causal mask,
SwiGLU MLP, untied head. Steps: NELBO (LLaDA SFT: t ~ U(eps, 1), response tokens masked with prob. t, CE / t over
masked tokens / response length) and TABOM (a cut along a random decoding order, CE on the window, pairwise
logistic ranking of entropies), each followed by global-norm clipping and torch.optim.AdamW. Forward, backward and
optimizer phases are timed apart. Prints `RESULT <objective>_<figure> <value>` lines.

    python bench/torch_train_step.py FOLDER [ROWS] [LENGTH] [STEPS] [WARMUP]
"""

import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

MASK = 3
SPECIALS = 7


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Block(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, kv, k, f = c["hidden"], c["heads"], c["kv_heads"], c["head_dim"], c["intermediate"]
        self.h, self.kv, self.k = h, kv, k
        self.input_norm = RMSNorm(d, c["eps"])
        self.q = torch.nn.Linear(d, h * k, bias=False)
        self.k_proj = torch.nn.Linear(d, kv * k, bias=False)
        self.v = torch.nn.Linear(d, kv * k, bias=False)
        self.o = torch.nn.Linear(h * k, d, bias=False)
        self.post_norm = RMSNorm(d, c["eps"])
        self.gate = torch.nn.Linear(d, f, bias=False)
        self.up = torch.nn.Linear(d, f, bias=False)
        self.down = torch.nn.Linear(f, d, bias=False)

    def forward(self, x, cos, sin, key_mask):
        b, t, _ = x.shape
        y = self.input_norm(x)
        q = self.q(y).view(b, t, self.h, self.k).transpose(1, 2)
        k = self.k_proj(y).view(b, t, self.kv, self.k).transpose(1, 2)
        v = self.v(y).view(b, t, self.kv, self.k).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if self.kv != self.h:
            k = k.repeat_interleave(self.h // self.kv, dim=1)
            v = v.repeat_interleave(self.h // self.kv, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.k)
        if key_mask is not None:
            scores = scores.masked_fill(~key_mask[:, None, None, :], torch.finfo(scores.dtype).min)
        attn = scores.softmax(-1) @ v
        x = x + self.o(attn.transpose(1, 2).reshape(b, t, -1))
        y = self.post_norm(x)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


class Model(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = torch.nn.Embedding(c["vocab"], c["hidden"])
        self.blocks = torch.nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["hidden"], c["eps"])
        self.head = torch.nn.Linear(c["hidden"], c["vocab"], bias=False)
        inv = 1.0 / (c["theta"] ** (torch.arange(0, c["head_dim"], 2).float() / c["head_dim"]))
        self.register_buffer("inv", inv)

    def forward(self, ids, key_mask=None):
        t = ids.shape[1]
        freqs = torch.outer(torch.arange(t, dtype=torch.float32), self.inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, cos, sin, key_mask)
        return self.head(self.norm(x))


def nelbo(model, ids, response, gen):
    b, l = ids.shape
    t = torch.rand(b, 1, generator=gen)
    p = (1 - 1e-3) * t + 1e-3
    masked = (torch.rand(b, l, generator=gen) < p) & response
    noisy = torch.where(masked, torch.full_like(ids, MASK), ids)
    logits = model(noisy)
    nll = F.cross_entropy(logits.transpose(1, 2), ids, reduction="none")
    lengths = response.sum(1, keepdim=True).clamp(min=1)
    return (nll * masked / p / lengths).sum() / b


def tabom(model, ids, prompt_len, order, gen, window=32, lam=1.0, tau=1.0):
    b, l = ids.shape
    steps = order.max(dim=1).values + 1
    cut = (torch.rand(b, generator=gen) * steps).long()[:, None]
    full = torch.full((b, l), -1, dtype=torch.long)
    full[:, prompt_len:] = order
    masked = full >= cut
    in_window = masked & (full < cut + window)
    noisy = torch.where(masked, torch.full_like(ids, MASK), ids)
    logits = model(noisy)
    nll = F.cross_entropy(logits.transpose(1, 2), ids, reduction="none")
    ce = (nll * in_window).sum() / in_window.sum().clamp(min=1)
    logp = logits.log_softmax(-1)
    entropy = -(logp.exp() * logp).sum(-1)
    pairs = in_window[:, :, None] & in_window[:, None, :] & (full[:, :, None] < full[:, None, :])
    gap = entropy[:, None, :] - entropy[:, :, None]  # [b, i, j] = H_j - H_i
    rank = (F.softplus(-gap / tau) * pairs).sum() / pairs.sum().clamp(min=1)
    return ce + lam * rank


def main():
    folder = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    length = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    steps = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    warmup = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    cfg = json.load(open(f"{folder}/config.json"))

    def key(*names):  # LLaDA's config uses OLMo's names, Llama-style configs transformers' names
        return next(cfg[n] for n in names if n in cfg)

    hidden = key("hidden_size", "d_model")
    heads = key("num_attention_heads", "n_heads")
    c = {
        "vocab": cfg["vocab_size"],
        "hidden": hidden,
        "layers": key("num_hidden_layers", "n_layers"),
        "heads": heads,
        "kv_heads": cfg.get("num_key_value_heads", cfg.get("n_kv_heads", heads)),
        "head_dim": cfg.get("head_dim") or hidden // heads,
        "intermediate": key("intermediate_size", "mlp_hidden_size"),
        "eps": cfg.get("rms_norm_eps", 1e-5),
        "theta": cfg.get("rope_theta", 10000.0),
    }
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(7)
    ids = torch.randint(SPECIALS, c["vocab"], (rows, length), generator=gen)
    prompt = length // 4
    response = torch.zeros(rows, length, dtype=torch.bool)
    response[:, prompt:] = True
    order = torch.stack([torch.randperm(length - prompt, generator=gen) for _ in range(rows)])
    for name in ("nelbo", "tabom"):
        model = Model(c)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.0)
        times = {"forward": [], "backward": [], "optimizer": []}
        for s in range(warmup + steps):
            start = time.perf_counter()
            loss = nelbo(model, ids, response, gen) if name == "nelbo" else tabom(model, ids, prompt, order, gen)
            loss.item()
            mid = time.perf_counter()
            loss.backward()
            after = time.perf_counter()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=False)
            end = time.perf_counter()
            if s >= warmup:
                times["forward"].append((mid - start) * 1e3)
                times["backward"].append((after - mid) * 1e3)
                times["optimizer"].append((end - after) * 1e3)
        total = [f + b + o for f, b, o in zip(times["forward"], times["backward"], times["optimizer"])]
        step_ms = statistics.median(total)
        print(f"RESULT {name}_step_ms {step_ms:.3f}")
        for phase, values in times.items():
            print(f"RESULT {name}_{phase}_ms {statistics.median(values):.3f}")
        print(f"RESULT {name}_tokens_per_s {rows * length / (step_ms / 1000):.3f}")
        print(f"torch {torch.__version__} {name}: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M params,"
              f" {rows} x {length} tokens, {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
