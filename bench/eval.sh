#!/usr/bin/env bash
# Grading throughput of the eval service (trials/s, items/s) and its overhead over pure model time, at 1, 4 and 16
# trials in flight: against a stub endpoint whose every answer takes a known time (so the overhead is the harness's
# alone), and against the tiny model of a real inference service. The baseline, in the same invocation, is the same
# requests sent straight to the model with as many in flight.
#   bench/eval.sh [trials per item on the model] [stub latency ms] [trials per item on the stub]
# Uses $LMLAB_DB_URL when set, else the platform's embedded PostgreSQL (bin/lmlab up). Runs its own inference and
# eval JVMs on free ports with a private data folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/common.sh
TRIALS="${1:-40}"
STUB_MS="${2:-20}"
STUB_TRIALS="${3:-40}"
WORK=$(mktemp -d)
OUT="$WORK/out"
mkdir -p "$OUT"
[[ -f bench/target/lmlab-bench.jar && -f eval-service/target/lmlab-eval.jar ]] \
  || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true install
if [[ -z "${LMLAB_DB_URL:-}" ]]; then
  bin/lmlab up >/dev/null
  LMLAB_DB_URL="jdbc:postgresql://127.0.0.1:${LMLAB_DB_PORT:-5433}/lmlab"
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
INF_PORT=$(free_port)
EVAL_PORT=$(free_port)
STUB_PORT=$(free_port)
JAVA=(java --add-modules jdk.incubator.vector -Dai.djl.offline=true -Xmx4g)
PIDS=()
stop() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap stop EXIT
ready() {  # $1 port, $2 log
  for _ in $(seq 120); do
    curl -fs "http://127.0.0.1:$1/actuator/health/readiness" >/dev/null 2>&1 && return
    sleep 1
  done
  echo "a service did not start; see $2" >&2
  exit 1
}
COMMON=(--lmlab.home="$WORK/home" --lmlab.internal-token=bench --spring.datasource.url="$LMLAB_DB_URL")
"${JAVA[@]}" -jar inference-service/target/lmlab-inference.jar --server.port="$INF_PORT" "${COMMON[@]}" \
  --lmlab.jobs.enabled=false --db-scheduler.enabled=false >"$OUT/inference.log" 2>&1 &
PIDS+=($!)
# the stub runs inside the bench JVM on STUB_PORT: the one external endpoint this private eval service may call
"${JAVA[@]}" -jar eval-service/target/lmlab-eval.jar --server.port="$EVAL_PORT" "${COMMON[@]}" \
  --lmlab.services.inference="http://127.0.0.1:$INF_PORT" --db-scheduler.polling-interval=100ms \
  --lmlab.jobs.progress-interval=1s --lmlab.eval.allowed-endpoints="http://127.0.0.1:$STUB_PORT/v1" \
  >"$OUT/eval.log" 2>&1 &
PIDS+=($!)
ready "$INF_PORT" "$OUT/inference.log"
ready "$EVAL_PORT" "$OUT/eval.log"
curl -fsS -X POST "http://127.0.0.1:$INF_PORT/models/tiny" -H 'X-LMLab-Internal-Token: bench' \
  -H 'Content-Type: application/json' -d '{"id": "bench-tiny", "family": "llama", "seed": 1}' >/dev/null
curl -fsS -X POST "http://127.0.0.1:$INF_PORT/models/bench-tiny/load" -H 'X-LMLab-Internal-Token: bench' >/dev/null

print_machine
echo "benchmark: toy-letters (12 items, up to 12 tokens); $STUB_TRIALS trials per item on a stub answering after" \
  "$STUB_MS ms, $TRIALS on the tiny model"
for run in "stub:$STUB_MS@$STUB_PORT $STUB_TRIALS" "bench-tiny $TRIALS"; do
  set -- $run
  "${JAVA[@]}" -cp bench/target/lmlab-bench.jar -Dloader.main=dev.lmlab.bench.EvalBench \
    org.springframework.boot.loader.launch.PropertiesLauncher "http://127.0.0.1:$EVAL_PORT" bench "$1" \
    toy-letters "$2" "http://127.0.0.1:$INF_PORT/v1" 1 4 16 2>"$OUT/bench.err" | tee -a "$OUT/results" \
    || { cat "$OUT/bench.err" >&2; exit 1; }
done
echo
echo "| target | in flight | trials | trials/s | items/s | eval wall s | direct wall s |" \
  "overhead (eval ÷ direct) | tokens eval/direct |"
echo "|---|---|---|---|---|---|---|---|---|"
awk '$1 == "RESULT" {
  split($4, n, "="); split($5, w, "="); split($6, t, "="); split($7, i, "="); split($8, d, "="); split($9, o, "=");
  split($11, k, "=");
  printf "| %s | %s | %s | %s | %s | %s | %s | %s× | %s |\n", $2, $3, n[2], t[2], i[2], w[2], d[2], o[2], k[2] }' \
  "$OUT/results"
