#!/usr/bin/env bash
# Mixed precision on this machine: trains the CNN and Transformer templates on Fashion-MNIST once
# in float32 and once in bfloat16 (autocast on the training forward pass), with the same settings
# otherwise (a slice of the data so that it takes minutes), and prints training samples/s and
# test accuracy side by side, with the ratio bfloat16 / float32. Weights stay float32 in both;
# validation and test run in float32 in both, so the accuracies compare the trained weights.
# The CPU's bfloat16 support decides the speed: with AVX512-BF16 or AMX, oneDNN computes matrix
# products in bfloat16; without them bfloat16 is emulated and usually slower than float32.
# Usage: bench/mixed_precision.sh [limit=12000] [epochs=1] [threads=2] [templates="cnn transformer"]
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=${1:-12000}
EPOCHS=${2:-1}
THREADS=${3:-2}
TEMPLATES=${4:-cnn transformer}
CLI=${NC_BUILD_DIR:-build}/app/cli/neuralcanvas-cli
PY=/usr/bin/python3
[ -x "$CLI" ] || { echo "CLI not built: $CLI (set NC_BUILD_DIR)"; exit 2; }
[ -d /usr/share/datasets/fashion-mnist ] || { echo "Fashion-MNIST not found in /usr/share/datasets/fashion-mnist"; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=$(grep -o -w -E 'avx512_bf16|amx_bf16|avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ' || true)
echo "== CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores; flags: ${flags:-none}"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows both alike only roughly)"
echo "== settings: --limit $LIMIT --epochs $EPOCHS --threads $THREADS, the templates' own batch size and optimizer"

# samples/s of the last epoch (training only) and test accuracy of a run folder
read_run() {
  "$PY" - "$1" <<'EOF'
import json, sys, os
run = sys.argv[1]
rate = None
for line in open(os.path.join(run, "metrics.jsonl")):
    j = json.loads(line)
    if j.get("kind") == "epoch":
        rate = j.get("samples_per_s")
r = json.load(open(os.path.join(run, "result.json")))
acc = r.get("test_accuracy")
print(f"{rate:.1f} {acc:.4f}" if rate is not None and acc is not None else "nan nan")
EOF
}

declare -A RATE ACC
for t in $TEMPLATES; do
  for p in float32 bfloat16; do
    out="$tmp/$t-$p"
    start=$(date +%s)
    if ! "$CLI" train "resources/templates/$t.json" --limit "$LIMIT" --epochs "$EPOCHS" --threads "$THREADS" \
        --precision "$p" --out "$out" >"$tmp/$t-$p.log" 2>&1; then
      echo "training $t in $p failed:"; tail -5 "$tmp/$t-$p.log"; exit 1
    fi
    read -r rate acc < <(read_run "$out")
    RATE[$t-$p]=$rate
    ACC[$t-$p]=$acc
    echo "   $t $p: $rate samples/s, test accuracy $acc ($(( $(date +%s) - start )) s in all)"
  done
done

echo
printf "%-12s %14s %14s %8s   %12s %12s %8s\n" template "f32 samples/s" "bf16 samples/s" ratio "f32 test acc" "bf16 test acc" diff
for t in $TEMPLATES; do
  "$PY" - "$t" "${RATE[$t-float32]}" "${RATE[$t-bfloat16]}" "${ACC[$t-float32]}" "${ACC[$t-bfloat16]}" <<'EOF'
import sys
t, r32, r16, a32, a16 = sys.argv[1], *map(float, sys.argv[2:])
print(f"{t:<12} {r32:14.1f} {r16:14.1f} {r16 / r32:8.2f}   {a32:12.4f} {a16:12.4f} {a16 - a32:+8.4f}")
EOF
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
