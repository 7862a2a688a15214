#!/usr/bin/env python3
"""The baseline for bench/decode.sh: Hugging Face transformers generate() on the same checkpoint folder.

Same protocol as DecodeBench.java: prefill of 512 tokens at batch 1; greedy decode at batch 1 and 8 with
prompts of 16 tokens, steady per-step time = (time for N new tokens - time for 1) / (N - 1); the weight
bandwidth batch-1 decode achieves; plus the machine's copy and read bandwidth measured with torch (the
roofline of batch-1 decode). Prints `RESULT <name> <value>` lines.

    python bench/hf_decode.py FOLDER [NEW_TOKENS] [REPEATS]
"""

import statistics
import sys
import time

import torch
import transformers
from transformers import AutoModelForCausalLM

transformers.logging.set_verbosity_error()


def result(name, value):
    print(f"RESULT {name} {value:.3f}", flush=True)


def median_seconds(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bandwidth(megabytes=512):
    """Copy (read + write bytes counted, as STREAM does) and read-only bandwidth in GB/s, best of 5."""
    n = megabytes * (1 << 20) // 4
    src = torch.rand(n)
    dst = torch.empty(n)
    copy = min(median_seconds(lambda: dst.copy_(src), 1, 1) for _ in range(5))
    read = min(median_seconds(lambda: src.sum(), 1, 1) for _ in range(5))
    return 2 * n * 4 / copy / 1e9, n * 4 / read / 1e9


def random_ids(n, seed, vocab):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(7, vocab, (n,), generator=g)


def main():
    folder = sys.argv[1]
    new_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    copy_gb_s, read_gb_s = bandwidth()
    result("copy_gb_s", copy_gb_s)
    result("read_gb_s", read_gb_s)

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    params = sum(p.numel() for p in model.parameters())
    vocab = model.config.vocab_size
    print(f"transformers {transformers.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads,"
          f" {params / 1e6:.2f} M params", flush=True)
    result("params", params)

    with torch.inference_mode():
        prompt512 = random_ids(512, 1, vocab).unsqueeze(0)
        prefill = median_seconds(lambda: model(prompt512), 1, repeats)
        result("prefill_tok_s", 512 / prefill)

        for batch in (1, 8):
            prompts = torch.stack([random_ids(16, 10 + r, vocab) for r in range(batch)])
            mask = torch.ones_like(prompts)

            def run(n):
                # no eos: every row decodes exactly n tokens
                model.generate(input_ids=prompts, attention_mask=mask, max_new_tokens=n, min_new_tokens=n,
                               do_sample=False, eos_token_id=None, pad_token_id=0)

            one = median_seconds(lambda: run(1), 1, repeats)
            all_ = median_seconds(lambda: run(new_tokens), 1, repeats)
            per_step = (all_ - one) / (new_tokens - 1)
            result(f"decode_b{batch}_tok_s", batch / per_step)
            if batch == 1:
                result("decode_b1_weight_gb_s", params * 4 / per_step / 1e9)


if __name__ == "__main__":
    main()
