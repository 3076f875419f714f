#!/usr/bin/env bash
# Sets up NeuralCanvas (packages + Release build) and runs its main job: checking the CNN
# template, printing every node's output shape and parameter count.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${NC_BUILD_DIR:-build}/app/cli/neuralcanvas-cli" validate resources/templates/cnn.json
