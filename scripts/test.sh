#!/usr/bin/env bash
# Sets up NeuralCanvas (packages + Release build) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "${NC_BUILD_DIR:-build}" --output-on-failure -j2
