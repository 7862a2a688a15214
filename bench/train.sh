#!/usr/bin/env bash
# Training-step speed of lm-core against the same step in plain PyTorch, same machine, same invocation: NELBO
# (LLaDA SFT) and TABOM steps on a tiny and a ~100M LLaDA-shaped model, with the forward / backward / optimizer
# breakdown. Prints a markdown table for docs/benchmarks.md.
#   bench/train.sh [rounds] [steps]
# Needs a Python with torch for the baseline: $LMLAB_BENCH_PYTHON, else /tmp/ref/bin/python
# (python3 -m venv /tmp/ref && /tmp/ref/bin/pip install torch).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/common.sh
ROUNDS="${1:-3}"
STEPS="${2:-10}"
PY="$BENCH_PYTHON"
OUT=$(mktemp -d)
ensure_bench_jar
print_machine
echo "rounds: $ROUNDS, timed steps per run: $STEPS after 3 warm-up (each figure: median over rounds of medians)"
# model folder, size, rows, length
CASES=("bench/results/llada-tiny tiny 16 128" "bench/results/llada-100m 100m 4 256")
for c in "${CASES[@]}"; do
  read -r folder size rows length <<<"$c"
  : >"$OUT/$size.java"; : >"$OUT/$size.torch"
  for round in $(seq "$ROUNDS"); do
    # alternate who goes first: this host's speed drifts over minutes
    runs=(java torch); (( round % 2 == 0 )) && runs=(torch java)
    for engine in "${runs[@]}"; do
      case $engine in
        java) java -Dai.djl.offline=true -Xmx6g -cp bench/target/lmlab-bench.jar \
                -Dloader.main=dev.lmlab.bench.TrainBench org.springframework.boot.loader.launch.PropertiesLauncher \
                "$folder" "$size" "$rows" "$length" "$STEPS" 2>/dev/null >>"$OUT/$size.java" ;;
        torch) if [[ -x "$PY" ]]; then
                 "$PY" bench/torch_train_step.py "$folder" "$rows" "$length" "$STEPS" 2>/dev/null >>"$OUT/$size.torch"
               fi ;;
      esac
    done
  done
done
grep -h -v '^RESULT' "$OUT"/* | sort -u
[[ -x "$PY" ]] || echo "no Python baseline ($PY missing): the PyTorch column is left empty"

value() {  # median over rounds
  awk -v k="$2" '$1 == "RESULT" && $2 == k {print $3}' "$OUT/$1" | sort -g \
    | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
echo
echo "| model | step | PyTorch tok/s | lm-core tok/s | lm-core ÷ PyTorch |" \
  "PyTorch fwd / bwd / opt ms | lm-core fwd / bwd / opt ms |"
echo "|---|---|---|---|---|---|---|"
for c in "${CASES[@]}"; do
  read -r folder size rows length <<<"$c"
  for step in nelbo tabom; do
    jt=$(value "$size.java" "${step}_tokens_per_s"); pt=$(value "$size.torch" "${step}_tokens_per_s")
    phases() {
      echo "$(value "$1" "${step}_forward_ms") / $(value "$1" "${step}_backward_ms") /" \
        "$(value "$1" "${step}_optimizer_ms")"
    }
    echo "| $size ($rows x $length) | $step | ${pt:-–} | $jt | $(ratio "$jt" "$pt") |" \
      "$(phases "$size.torch") | $(phases "$size.java") |"
  done
done
