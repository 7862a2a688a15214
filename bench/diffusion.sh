#!/usr/bin/env bash
# Masked-diffusion decoding cost of lm-core on a ~100M LLaDA-shaped checkpoint: LLaDA's reference schedule against
# Fast-dLLM's prefix cache, confidence-threshold unmasking, and both. Prints RESULT lines and a markdown table.
#   bench/diffusion.sh [gen length] [block length] [threshold] [rounds]  (times: medians over rounds)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/common.sh
GEN="${1:-64}"
BLOCK="${2:-32}"
THRESHOLD="${3:-0.9}"
ROUNDS="${4:-3}"
FOLDER=bench/results/llada-100m
OUT=$(mktemp)
[[ -f bench/target/lmlab-bench.jar ]] \
  || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl lm-core,bench -am install
print_machine
java --add-modules jdk.incubator.vector -Dai.djl.offline=true -Xmx6g -cp bench/target/lmlab-bench.jar \
  -Dloader.main=dev.lmlab.bench.DiffusionBench org.springframework.boot.loader.launch.PropertiesLauncher \
  "$FOLDER" "$GEN" "$BLOCK" "$THRESHOLD" 0.02 "${ROUNDS}" 2>/dev/null | tee "$OUT"
value() { awk -v k="$1" '$1 == "RESULT" && $2 == k {print $3}' "$OUT"; }
ref=$(value reference_seconds)
echo
echo "| variant | forward passes | seconds | response tok/s | speed-up | tokens as reference | mean confidence |"
echo "|---|---|---|---|---|---|---|"
for v in reference prefix_cache threshold threshold_cache; do
  s=$(value ${v}_seconds)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$v" "$(value ${v}_forward_passes)" "$s" "$(value ${v}_tok_s)" \
    "$(awk -v a="$ref" -v b="$s" 'BEGIN { printf "%.2f×", a / b }')" "$(value ${v}_agreement)" \
    "$(value ${v}_mean_confidence)"
done
rm -f "$OUT"
