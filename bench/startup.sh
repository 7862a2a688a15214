#!/usr/bin/env bash
# Platform start-up time: bin/lmlab down, then bin/lmlab up until every component is ready; N rounds.
#   bench/startup.sh [rounds]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/common.sh
rounds="${1:-3}"
print_machine
bin/lmlab up >/dev/null   # builds if needed; the first round below then starts from stopped JVMs, warm disk cache
for i in $(seq 1 "$rounds"); do
  bin/lmlab down >/dev/null
  start=$(date +%s.%N)
  bin/lmlab up | grep -o 'all healthy in [0-9.]* s'
  end=$(date +%s.%N)
  printf 'round %d: %.1f s wall (bin/lmlab up, including the launcher JVM)\n' "$i" "$(echo "$end - $start" | bc)"
done
