#!/usr/bin/env python3
"""The baseline for bench/sae.sh: the Top-K SAE training step of lm-core's TopKSaeTrainer, in plain PyTorch, two ways.

Both: pre = (x - b_dec) @ W_enc + b_enc, top-k per token with ReLU, normalised MSE ||x - x_hat||^2 / ||x - mean(x)||^2,
backward, the decoder rows' gradient loses its component along each row, torch.optim.Adam (betas 0.9/0.999,
eps 6.25e-10, no weight decay), decoder rows rescaled to unit norm. No latent is dead within a benchmark run (the
threshold is 10M tokens), so the AuxK term is absent on both sides.

  dense:  z scattered into a dense (B, d_sae) matrix, x_hat = z @ W_dec + b_dec
  gather: x_hat = embedding_bag(ids, W_dec, per_sample_weights=z, mode="sum") + b_dec (only the k chosen rows)

The encoder's forward and backward are dense in both (autograd through topk), as in common SAE libraries.
Forward, backward and optimizer phases are timed apart. Prints `RESULT <variant>_<figure> <value>` lines.

    python bench/torch_sae_step.py D_IN D_SAE K BATCH [STEPS] [WARMUP] [VARIANTS, e.g. gather,dense]
"""

import statistics
import sys
import time

import torch
import torch.nn.functional as F


class TopKSae(torch.nn.Module):
    def __init__(self, d_in, d_sae, k, sample):
        super().__init__()
        w_dec = torch.randn(d_sae, d_in)
        w_dec /= w_dec.norm(dim=1, keepdim=True)
        self.W_dec = torch.nn.Parameter(w_dec)  # (S, D)
        self.W_enc = torch.nn.Parameter(w_dec.t().clone())  # (D, S)
        self.b_enc = torch.nn.Parameter(torch.zeros(d_sae))
        self.b_dec = torch.nn.Parameter(sample.mean(0))
        self.k = k

    def encode(self, x):
        pre = (x - self.b_dec) @ self.W_enc + self.b_enc  # (B, S)
        values, ids = pre.topk(self.k, dim=-1, sorted=False)  # (B, K)
        return values.relu(), ids

    def decode_dense(self, z, ids):
        dense = torch.zeros(z.shape[0], self.W_dec.shape[0], dtype=z.dtype).scatter(1, ids, z)  # (B, S)
        return dense @ self.W_dec + self.b_dec

    def decode_gather(self, z, ids):
        return F.embedding_bag(ids, self.W_dec, per_sample_weights=z, mode="sum") + self.b_dec


def run(variant, d_in, d_sae, k, batch, steps, warmup):
    torch.manual_seed(0)
    data = [torch.randn(batch, d_in) for _ in range(4)]
    sae = TopKSae(d_in, d_sae, k, data[0])
    optimizer = torch.optim.Adam(sae.parameters(), lr=2e-4, betas=(0.9, 0.999), eps=6.25e-10)
    decode = sae.decode_dense if variant == "dense" else sae.decode_gather
    times = {"forward": [], "backward": [], "optimizer": [], "step": []}
    for s in range(warmup + steps):
        x = data[s % len(data)]
        t0 = time.perf_counter()
        denominator = (x - x.mean(0, keepdim=True)).pow(2).sum()
        z, ids = sae.encode(x)
        x_hat = decode(z, ids)
        loss = (x_hat - x).pow(2).sum() / denominator
        loss.item()
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        with torch.no_grad():
            w, g = sae.W_dec, sae.W_dec.grad
            g -= (g * w).sum(1, keepdim=True) * w
            optimizer.step()
            w /= w.norm(dim=1, keepdim=True)
        optimizer.zero_grad(set_to_none=False)
        t3 = time.perf_counter()
        if s >= warmup:
            times["forward"].append((t1 - t0) * 1e3)
            times["backward"].append((t2 - t1) * 1e3)
            times["optimizer"].append((t3 - t2) * 1e3)
            times["step"].append((t3 - t0) * 1e3)
    step_ms = statistics.median(times["step"])
    for phase in ("forward", "backward", "optimizer"):
        print(f"RESULT {variant}_{phase}_ms {statistics.median(times[phase]):.3f}")
    print(f"RESULT {variant}_step_ms {step_ms:.3f}")
    print(f"RESULT {variant}_tokens_per_s {batch / (step_ms / 1000):.3f}")


def main():
    d_in, d_sae, k, batch = (int(a) for a in sys.argv[1:5])
    steps = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    warmup = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    variants = sys.argv[7].split(",") if len(sys.argv) > 7 else ["dense", "gather"]
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads; d_in {d_in}, d_sae {d_sae}, k {k}, "
          f"batch {batch}, {steps} timed steps after {warmup} warm-up")
    for variant in variants:
        run(variant, d_in, d_sae, k, batch, steps, warmup)


if __name__ == "__main__":
    main()
