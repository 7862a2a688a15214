#!/usr/bin/env bash
# Top-K SAE training speed of lm-core's TopKSaeTrainer against the same step in plain PyTorch, same machine, same
# invocation: a dense-decoder loop (z scattered into (B, d_sae), z @ W_dec) and one that gathers only the k active
# decoder rows (embedding_bag). Tokens per second and the per-phase breakdown, on a large and a small shape. Prints
# a markdown table for docs/benchmarks.md.
#   bench/sae.sh [rounds]
# Needs a Python with torch for the baseline: $LMLAB_BENCH_PYTHON, else /tmp/ref/bin/python
# (python3 -m venv /tmp/ref && /tmp/ref/bin/pip install torch).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/common.sh
ROUNDS="${1:-3}"
PY="$BENCH_PYTHON"
OUT=$(mktemp -d)
ensure_bench_jar
print_machine
echo "rounds: $ROUNDS (each figure: median over rounds of the median step of a run, after warm-up steps)"
# name, d_in, d_sae, k, batch (tokens), timed steps, warm-up steps
CASES=("large 512 8192 32 1024 10 3" "small 128 1024 16 256 40 5")
for c in "${CASES[@]}"; do
  read -r name din dsae k batch steps warmup <<<"$c"
  : >"$OUT/$name.java"; : >"$OUT/$name.torch"
  for round in $(seq "$ROUNDS"); do
    # alternate who goes first (and the two PyTorch loops' order): this host's speed drifts over minutes
    runs=(java torch); variants=dense,gather
    (( round % 2 == 0 )) && { runs=(torch java); variants=gather,dense; }
    for engine in "${runs[@]}"; do
      case $engine in
        java) java -Dai.djl.offline=true -Xmx6g -cp bench/target/lmlab-bench.jar \
                -Dloader.main=dev.lmlab.bench.SaeBench org.springframework.boot.loader.launch.PropertiesLauncher \
                "$din" "$dsae" "$k" "$batch" "$steps" "$warmup" 2>/dev/null >>"$OUT/$name.java" ;;
        torch) if [[ -x "$PY" ]]; then
                 "$PY" bench/torch_sae_step.py "$din" "$dsae" "$k" "$batch" "$steps" "$warmup" "$variants" \
                   2>/dev/null >>"$OUT/$name.torch"
               fi ;;
      esac
    done
  done
done
grep -h -v '^RESULT' "$OUT"/* | sort -u
[[ -x "$PY" ]] || echo "no Python baseline ($PY missing): the PyTorch columns are left empty"

value() {  # median over rounds
  awk -v k="$2" '$1 == "RESULT" && $2 == k {print $3}' "$OUT/$1" | sort -g \
    | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
phases() {  # file, prefix, phase names…
  local file=$1 prefix=$2 out=""
  shift 2
  for p in "$@"; do out="$out${out:+ / }$(value "$file" "${prefix}_${p}_ms")"; done
  echo "$out"
}
echo
echo "| case (d_in, d_sae, k, tokens) | PyTorch dense tok/s | PyTorch gather tok/s | lm-core tok/s |" \
  "lm-core ÷ dense | lm-core ÷ gather | dense fwd / bwd / opt ms | gather fwd / bwd / opt ms |" \
  "lm-core select / fwd / bwd / opt ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for c in "${CASES[@]}"; do
  read -r name din dsae k batch steps warmup <<<"$c"
  jt=$(value "$name.java" sae_tokens_per_s)
  dt=$(value "$name.torch" dense_tokens_per_s)
  gt=$(value "$name.torch" gather_tokens_per_s)
  echo "| $name ($din, $dsae, $k, $batch) | ${dt:-–} | ${gt:-–} | $jt | $(ratio "$jt" "$dt") | $(ratio "$jt" "$gt") |" \
    "$(phases "$name.torch" dense forward backward optimizer) |" \
    "$(phases "$name.torch" gather forward backward optimizer) |" \
    "$(phases "$name.java" sae select forward backward optimizer) |"
done
