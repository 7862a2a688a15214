# Sourced by the bench/*.sh commands.

# One line naming when and where a measurement was taken, for docs/benchmarks.md.
print_machine() {
  local cpu
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, ${cpu}, $(free -g | awk '/Mem:/ {print $2}') GiB"
}
