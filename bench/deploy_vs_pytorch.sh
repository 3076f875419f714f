#!/usr/bin/env bash
# Runs an exported archive with NeuralCanvas (`neuralcanvas-cli benchmark`) and with plain PyTorch
# (bench/deploy_reference.py: torch.jit.load, the same batch sizes, threads, warm-up, timing and
# input kind), one after the other in one run, and prints both side by side with the ratio
# ours / pytorch of samples/s per case (target >= 1.0: ours must not be slower).
# The two alternate case by case (batch size x threads), so that other load on the machine hits
# both alike; with ROUNDS > 1 all cases are measured ROUNDS times and each side keeps its best.
# NeuralCanvas keeps freed blocks up to 32 MiB in glibc's heap and runs OpenBLAS single-threaded
# beside LibTorch's OpenMP threads (core/deploy/Benchmark.cpp); with REFERENCE_TUNING=same the
# reference runs with those settings too (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_,
# OPENBLAS_NUM_THREADS=1), which shows how much of the ratio they make.
# Usage: bench/deploy_vs_pytorch.sh MODEL.pt [batch-sizes=1,8,32,128] [threads=1,2] [seconds=2] [rounds=1]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
MODEL=$1
BATCHES=${2:-1,8,32,128}
THREADS=${3:-1,2}
SECONDS_PER_CASE=${4:-2}
ROUNDS=${5:-1}
OURS=${NC_BUILD_DIR:-build}/app/cli/neuralcanvas-cli
PY=/usr/bin/python3
[ -f "$MODEL" ] || { echo "archive not found: $MODEL"; exit 2; }
[ -x "$OURS" ] || { echo "CLI not built: $OURS (set NC_BUILD_DIR)"; exit 2; }

reference() {
  if [ "${REFERENCE_TUNING:-}" = same ]; then
    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 OPENBLAS_NUM_THREADS=1 \
      "$PY" bench/deploy_reference.py "$@"
  else
    "$PY" bench/deploy_reference.py "$@"
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "== $MODEL: NeuralCanvas ($OURS benchmark) and plain PyTorch (bench/deploy_reference.py), case by case"
for round in $(seq 1 "$ROUNDS"); do
  for b in ${BATCHES//,/ }; do
    for t in ${THREADS//,/ }; do
      args=(--batch-sizes "$b" --threads "$t" --seconds "$SECONDS_PER_CASE")
      "$OURS" benchmark "$MODEL" "${args[@]}" --json "$tmp/ours_${round}_${b}_${t}.json" 2>"$tmp/stderr" >"$tmp/out" ||
        { cat "$tmp/stderr"; echo "neuralcanvas-cli benchmark failed (batch $b, threads $t)"; exit 1; }
      awk -v r="$round" '$1 ~ /^[0-9]+$/ && NF >= 8 { printf "round %s  ours     %s\n", r, $0 }' "$tmp/out"
      reference "$MODEL" "${args[@]}" --json "$tmp/pytorch_${round}_${b}_${t}.json" |
        sed "s/^/round $round  pytorch  /"
    done
  done
done

echo "== summary: $MODEL (batch sizes $BATCHES, threads $THREADS, ${SECONDS_PER_CASE} s per case, best of $ROUNDS;" \
     "reference tuning: ${REFERENCE_TUNING:-none})"
echo "load average before $load_before, after $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores (other processes on the cores make the figures noisy)"
"$PY" - "$tmp" <<'EOF'
import glob, json, os, sys
folder = sys.argv[1]
def best(side):
    cases = {}
    for path in glob.glob(os.path.join(folder, side + "_*.json")):
        for c in json.load(open(path))["cases"]:
            key = (c["batch_size"], c["threads"])
            if key not in cases or c["samples_per_second"] > cases[key]["samples_per_second"]:
                cases[key] = c
    return cases
ours, ref = best("ours"), best("pytorch")
print("%6s %8s | %12s %12s | %9s %9s | %12s %12s | %7s" % ("batch", "threads", "ours p50 ms", "torch p50 ms",
      "ours MiB", "torch MiB", "ours smp/s", "torch smp/s", "ratio"))
worst = None
for key in sorted(ours):
    a, b = ours[key], ref[key]
    ratio = a["samples_per_second"] / b["samples_per_second"]
    worst = ratio if worst is None else min(worst, ratio)
    print("%6d %8d | %12.3f %12.3f | %9.1f %9.1f | %12.1f %12.1f | %7.3f" % (key[0], key[1], a["p50_ms"],
          b["p50_ms"], a["peak_memory_bytes"] / 1048576, b["peak_memory_bytes"] / 1048576,
          a["samples_per_second"], b["samples_per_second"], ratio))
print("lowest ratio ours/pytorch of samples/s: %.3f (target >= 1.0)" % worst)
EOF
