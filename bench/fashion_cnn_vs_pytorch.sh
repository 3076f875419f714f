#!/usr/bin/env bash
# Trains the same 2-conv CNN on Fashion-MNIST with plain PyTorch (the reference script in
# ../shared/bench) and with NeuralCanvas's engine, one after the other in one run, and prints
# samples/s, test accuracy and peak memory of both, and our/reference ratios.
# Usage: bench/fashion_cnn_vs_pytorch.sh [epochs=1] [limit=60000]   (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-1}
LIMIT=${2:-60000}
REF=${NC_REFERENCE:-../shared/bench/pytorch_fashion_cnn.py}
OURS=${NC_BUILD_DIR:-build}/bench/nc_bench_train_cnn
[ -f "$REF" ] || { echo "reference script not found: $REF (set NC_REFERENCE)"; exit 2; }

echo "== reference: plain PyTorch ($REF), epochs=$EPOCHS batch=64 threads=2 limit=$LIMIT"
ref_out=$(THREADS=2 /usr/bin/python3 -c '
import resource, runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
print("peak_rss_mb %.1f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
' "$REF" "$EPOCHS" 64 "$LIMIT")
echo "$ref_out"
echo "== NeuralCanvas engine (bench/fashion_cnn_reference.json)"
ours_out=$("$OURS" bench/fashion_cnn_reference.json "$EPOCHS" "$LIMIT" 2>/dev/null)
echo "$ours_out"

get() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
echo "== summary"
awk -v a="$(get "$ours_out" train_samples_per_s)" -v b="$(get "$ref_out" train_samples_per_s)" \
    -v am="$(get "$ours_out" peak_rss_mb)" -v bm="$(get "$ref_out" peak_rss_mb)" \
    -v aa="$(get "$ours_out" test_accuracy)" -v ba="$(get "$ref_out" test_accuracy)" 'BEGIN {
  printf "samples/s      ours %9.1f   pytorch %9.1f   ratio %.3f (target >= 1.0)\n", a, b, a / b
  printf "peak RSS (MB)  ours %9.1f   pytorch %9.1f   ratio %.3f\n", am, bm, am / bm
  printf "test accuracy  ours %9.4f   pytorch %9.4f\n", aa, ba
}'
