#!/usr/bin/env bash
# Gateway overhead: p50/p99 of GET /info on the training service, direct vs through the gateway, 1000 each.
# Brings the platform up if needed (bin/lmlab up), so it measures the same jars the demo runs.
#   bench/gateway-overhead.sh [requests] [warmup]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/common.sh
HOME_DIR="${LMLAB_HOME:-$ROOT/data}"
bin/lmlab up >/dev/null
[[ -f bench/target/lmlab-bench.jar ]] || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl bench package
ADMIN="${LMLAB_ADMIN_KEY:-$(cat "$HOME_DIR/admin.key")}"
# a read key whose rate limit will not throttle the run (the limiter itself is still on the path)
KEY=$(curl -fsS -X POST "http://127.0.0.1:${LMLAB_GATEWAY_PORT:-8080}/api/keys" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' \
  -d '{"name": "bench-gateway-overhead", "scopes": ["read"], "rate_limit_per_minute": 1000000}' \
  | sed -E 's/.*"key":"([^"]+)".*/\1/')
TOKEN="${LMLAB_INTERNAL_TOKEN:-$(cat "$HOME_DIR/secrets/internal.token")}"
print_machine
java -cp bench/target/lmlab-bench.jar dev.lmlab.bench.GatewayOverhead \
  "http://127.0.0.1:${LMLAB_GATEWAY_PORT:-8080}" "http://127.0.0.1:${LMLAB_TRAINING_PORT:-8082}" \
  "$KEY" "$TOKEN" "${1:-1000}" "${2:-300}"
