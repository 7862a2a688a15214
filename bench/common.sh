# Sourced by the bench/*.sh commands.

# One line naming when and where a measurement was taken, for docs/benchmarks.md.
print_machine() {
  local cpu
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, ${cpu}, $(free -g | awk '/Mem:/ {print $2}') GiB"
}

# The Python with torch that the PyTorch baselines run on: $LMLAB_BENCH_PYTHON, else the venv the docs describe.
BENCH_PYTHON="${LMLAB_BENCH_PYTHON:-/tmp/ref/bin/python}"

# Builds the bench jar (and lm-core under it) unless it is there already.
ensure_bench_jar() {
  [[ -f bench/target/lmlab-bench.jar ]] \
    || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl lm-core,bench -am install
}
