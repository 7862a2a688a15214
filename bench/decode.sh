#!/usr/bin/env bash
# Decode speed of lm-core against Hugging Face transformers on the same ~113M Llama-shaped checkpoint, same
# machine, same invocation: prefill tok/s, steady decode tok/s at batch 1 and 8, and batch-1 weight bandwidth
# against the measured copy bandwidth (the roofline). Prints a markdown table for docs/benchmarks.md.
#   bench/decode.sh [new tokens] [repeats] [rounds]
# Needs a Python with torch + transformers for the baseline: $LMLAB_BENCH_PYTHON, else /tmp/ref/bin/python
# (python3 -m venv /tmp/ref && /tmp/ref/bin/pip install torch transformers safetensors).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/common.sh
N="${1:-64}"
REPEATS="${2:-3}"
ROUNDS="${3:-3}"
FOLDER=bench/results/llama-100m
PY="$BENCH_PYTHON"
OUT=$(mktemp -d)
[[ -f bench/target/lmlab-bench.jar ]] \
  || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl lm-core,bench -am install
java_bench() {
  java --add-modules jdk.incubator.vector -Dai.djl.offline=true -Xmx6g "$@" -cp bench/target/lmlab-bench.jar \
    -Dloader.main=dev.lmlab.bench.DecodeBench org.springframework.boot.loader.launch.PropertiesLauncher \
    "$FOLDER" "$N" "$REPEATS" 2>/dev/null
}
print_machine
echo "new tokens: $N, repeats: $REPEATS per run, rounds: $ROUNDS (each figure: median over rounds of the medians)"
: >"$OUT/kernels"; : >"$OUT/hf"; : >"$OUT/pytorch"
for round in $(seq "$ROUNDS"); do
  # the three runs take turns going first: this host's speed drifts over minutes, so a fixed order would favour one
  order=(kernels hf pytorch); shift_by=$(( (round - 1) % 3 )); order=("${order[@]:$shift_by}" "${order[@]:0:$shift_by}")
  for engine in "${order[@]}"; do
    case $engine in
      kernels) java_bench >>"$OUT/kernels" ;;  # also writes the checkpoint on first use
      pytorch) java_bench -Dlmlab.cpu-decode=false >>"$OUT/pytorch" ;;
      hf) if [[ -x "$PY" ]]; then "$PY" bench/hf_decode.py "$FOLDER" "$N" "$REPEATS" 2>/dev/null >>"$OUT/hf"; fi ;;
    esac
  done
done
grep -h -v '^RESULT' "$OUT/kernels" "$OUT/hf" "$OUT/pytorch" | sort -u
[[ -x "$PY" ]] || echo "no Python baseline ($PY missing): transformers column left empty"

value() {  # median over rounds
  awk -v k="$2" '$1 == "RESULT" && $2 == k {print $3}' "$OUT/$1" | sort -g \
    | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
echo
echo "| figure | transformers | lm-core (Vector-API decode) | ratio | lm-core (PyTorch decode) | ratio |"
echo "|---|---|---|---|---|---|"
for k in prefill_tok_s decode_b1_tok_s decode_b8_tok_s decode_b1_weight_gb_s; do
  hf=$(value hf $k); ke=$(value kernels $k); pt=$(value pytorch $k)
  echo "| $k | ${hf:-–} | $ke | $(ratio "$ke" "$hf") | $pt | $(ratio "$pt" "$hf") |"
done
copy=$(value hf copy_gb_s); read=$(value hf read_gb_s)
if [[ -n "$copy" ]]; then
  echo
  echo "memory: copy ${copy} GB/s, read ${read} GB/s (torch, 512 MB); batch-1 decode weight bandwidth as a share of"\
    "copy: lm-core $(ratio "$(value kernels decode_b1_weight_gb_s)" "$copy"), transformers"\
    "$(ratio "$(value hf decode_b1_weight_gb_s)" "$copy")"
fi
rm -rf "$OUT"
