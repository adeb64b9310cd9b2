#!/usr/bin/env bash
# The main job: trains a Semantic2D model on SegTrain's generated demo stacks, inside ImageJ,
# from the demo macro (macros/SegTrain_Demo.ijm), under a virtual display.
#   bash scripts/demo.sh [iterations]          (default 300)
# The model goes to $SEGTRAIN_MODELS_DIR if set, else ~/.segtrain/models/demo-semantic2d.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/setup.sh"
iterations=${1:-300}
models=${SEGTRAIN_MODELS_DIR:-$HOME/.segtrain/models}
log=$(mktemp "${TMPDIR:-/tmp}/segtrain-demo.XXXXXX.log")
echo "demo: training the demo model in ImageJ ($iterations iterations; log: $log)" >&2
start=$(date +%s)
# ImageJ exits 0 even when a macro fails, and waits forever on an error dialog: hence the
# timeout and the check of what the macro printed.
timeout 1800 xvfb-run -a java -Xmx4g -Dplugins.dir="$REPO/java-plugin/build/plugins" \
    -jar /usr/share/java/ij.jar -batch "$REPO/macros/SegTrain_Demo.ijm" \
    "iterations=$iterations models=$models name=demo-semantic2d" 2>&1 | tee "$log"
model_dir=$models/demo-semantic2d
if ! grep -q "saved in" "$log" || [ ! -f "$model_dir/model.safetensors" ]; then
    echo "demo: FAILED: no model was saved (see $log)" >&2
    exit 1
fi
echo "demo: model saved in $model_dir ($(( $(date +%s) - start )) s); loss curve: $model_dir/training_log.csv"
