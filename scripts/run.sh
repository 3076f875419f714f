#!/usr/bin/env bash
# Sets up NeuralCanvas (packages + Release build) and runs its main job: the editor, opened on the
# CNN template. Without a display (a server, CI), it checks the template with the CLI instead and
# renders the editor window to neuralcanvas-cnn.png so there is still something to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build="${NC_BUILD_DIR:-build}"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  exec "$build/app/gui/neuralcanvas" "$@"
fi
echo "No display found: checking the CNN template and rendering the editor to neuralcanvas-cnn.png instead."
"$build/app/cli/neuralcanvas-cli" validate resources/templates/cnn.json
QT_QPA_PLATFORM=offscreen "$build/app/gui/neuralcanvas" resources/templates/cnn.json --screenshot neuralcanvas-cnn.png
echo "wrote neuralcanvas-cnn.png"
