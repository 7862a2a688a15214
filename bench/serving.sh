#!/usr/bin/env bash
# Serving throughput of the inference service: aggregate completion tokens/s and p50/p99 request latency at 1, 4
# and 16 concurrent clients (closed loop), with continuous batching (16 rows) and without (1 row), on the tiny
# test model and a ~113M Llama-shaped one; plus lm-core called in-process as the baseline for the HTTP layer.
#   bench/serving.sh [max tokens] [requests per client]
#   SERVING_MODELS="tiny 100m" and SERVING_ROWS="16 1" choose what runs (defaults: everything).
# Uses $LMLAB_DB_URL when set, else the platform's embedded PostgreSQL (bin/lmlab up). Runs its own inference
# JVM (jobs off) on a free port with a private data folder, one configuration at a time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/common.sh
TOKENS="${1:-64}"
PER_CLIENT="${2:-4}"
WORK="$ROOT/bench/results/serving-home"
OUT=$(mktemp -d)
[[ -f bench/target/lmlab-bench.jar && -f inference-service/target/lmlab-inference.jar ]] \
  || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true install
if [[ -z "${LMLAB_DB_URL:-}" ]]; then
  bin/lmlab up >/dev/null
  LMLAB_DB_URL="jdbc:postgresql://127.0.0.1:${LMLAB_DB_PORT:-5433}/lmlab"
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
JAVA=(java --add-modules jdk.incubator.vector -Dai.djl.offline=true -Xmx8g)
PID=
stop() { if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; PID=; }
trap 'stop; rm -rf "$OUT"' EXIT

serve() {  # $1: rows batched together at most
  "${JAVA[@]}" -jar inference-service/target/lmlab-inference.jar --server.port="$PORT" --lmlab.home="$WORK" \
    --lmlab.internal-token=bench --spring.datasource.url="$LMLAB_DB_URL" --lmlab.jobs.enabled=false \
    --db-scheduler.enabled=false --lmlab.inference.max-batch-rows="$1" --lmlab.inference.queue-capacity=64 \
    >"$OUT/service-$1.log" 2>&1 &
  PID=$!
  for _ in $(seq 120); do
    curl -fs "$BASE/actuator/health/readiness" >/dev/null 2>&1 && return
    sleep 1
  done
  echo "the inference service did not start; see $OUT/service-$1.log" >&2
  exit 1
}
register() {  # $1 id, $2 size
  curl -fsS -X POST "$BASE/models/tiny" -H 'X-LMLab-Internal-Token: bench' -H 'Content-Type: application/json' \
    -d "{\"id\": \"$1\", \"family\": \"llama\", \"size\": \"$2\", \"seed\": 1}" >/dev/null
  curl -fsS -X POST "$BASE/models/$1/load" -H 'X-LMLab-Internal-Token: bench' >/dev/null
}
bench() {  # $1 model, $2 label
  "${JAVA[@]}" -cp bench/target/lmlab-bench.jar -Dloader.main=dev.lmlab.bench.ServingBench \
    org.springframework.boot.loader.launch.PropertiesLauncher "$BASE" bench "$1" "$TOKENS" "$PER_CLIENT" 1 4 16 \
    2>/dev/null | sed "s/^RESULT/RESULT $2/" | tee -a "$OUT/results"
}

print_machine
echo "max tokens: $TOKENS, requests per client: $PER_CLIENT, sampling at temperature 0.8 (eos may end a request early)"
MODELS="${SERVING_MODELS:-tiny 100m}"
for rows in ${SERVING_ROWS:-16 1}; do
  serve "$rows"
  for model in $MODELS; do
    register "bench-$model" "$( [[ $model == tiny ]] && echo tiny || echo bench-100m )"
    bench "bench-$model" "$model-rows$rows"
  done
  stop
done
for model in $MODELS; do
  folder="$WORK/models/tiny/bench-$model"
  "${JAVA[@]}" -cp bench/target/lmlab-bench.jar -Dloader.main=dev.lmlab.bench.ServingBench \
    org.springframework.boot.loader.launch.PropertiesLauncher \
    --direct "$folder" "$TOKENS" "$(( PER_CLIENT > 16 ? PER_CLIENT : 16 ))" \
    2>/dev/null | sed "s/^RESULT/RESULT $model-direct/" | tee -a "$OUT/results"
done

field() { awk -v k="$1" -v c="$2" -v f="$3" '$1 == "RESULT" && $2 == k && $3 == c {print $f}' "$OUT/results"; }
echo
echo "| model | clients | batched tok/s | p50 / p99 ms | unbatched tok/s | p50 / p99 ms | batched ÷ 1 client |"
echo "|---|---|---|---|---|---|---|"
for model in $MODELS; do
  one=$(field "$model-rows16" 1 4)
  for c in 1 4 16; do
    printf '| %s | %s | %s | %s / %s | %s | %s / %s | %s |\n' "$model" "$c" \
      "$(field "$model-rows16" $c 4)" "$(field "$model-rows16" $c 5)" "$(field "$model-rows16" $c 6)" \
      "$(field "$model-rows1" $c 4)" "$(field "$model-rows1" $c 5)" "$(field "$model-rows1" $c 6)" \
      "$(awk -v a="$(field "$model-rows16" $c 4)" -v b="$one" 'BEGIN { printf "%.2f×", a / b }')"
  done
  printf '| %s | lm-core in-process, 1 request at a time | %s | %s / %s | | | HTTP ÷ direct at 1 client: %s |\n' \
    "$model" "$(field "$model-direct" 0 4)" "$(field "$model-direct" 0 5)" "$(field "$model-direct" 0 6)" \
    "$(awk -v a="$one" -v b="$(field "$model-direct" 0 4)" 'BEGIN { printf "%.2f×", a / b }')"
done
