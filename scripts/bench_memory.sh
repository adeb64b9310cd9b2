#!/usr/bin/env bash
# Peak memory (maximum resident set size) of auto-label from the command line on three stack
# sizes, fitted as fixed + bytes per voxel, for the README's memory formula (BENCHMARKS.md).
#   bash scripts/bench_memory.sh [CONFIG]   (default Semantic2D; Instance2D or Instance3D too)
# About 5 minutes on 2 cores. The model is trained for 2 iterations: memory does not depend on
# what the weights learned, only on the network, the window and the stack.
set -euo pipefail
CONFIG=${1:-Semantic2D}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/setup.sh" >/dev/null 2>&1 || { echo "bench_memory: setup failed"; exit 1; }
CLI=$REPO/target/release/segtrain
W=$(mktemp -d "${TMPDIR:-/tmp}/segtrain-memory.XXXXXX")
trap 'rm -rf "$W"' EXIT
labels=labels.tif
window=1,256,256
case "$CONFIG" in
    Instance*) labels=instances.tif ;;
esac
case "$CONFIG" in
    *3D) window=8,128,128 ;;
esac
"$CLI" demo-data --out "$W/train" --slices 8 --height 256 --width 256 >/dev/null
"$CLI" train --image "$W/train/image.tif" --labels "$W/train/$labels" --config "$CONFIG" --model_name m --models_folder "$W/models" \
    --iteration_total 2 --iteration_save 2 --window_size "$window" --samples_per_batch 1 --validation_fraction 0 --scale 1 >/dev/null 2>&1
echo "config $CONFIG, window $window, $(nproc) cores, $(date -u +%F)"
printf '%-16s %12s %12s %10s\n' "stack (z,y,x)" voxels "peak RSS MB" seconds
rows=()
for size in "4 256 256" "8 1024 1024" "16 1536 1536"; do
    read -r z y x <<<"$size"
    "$CLI" demo-data --out "$W/s" --slices "$z" --height "$y" --width "$x" >/dev/null
    /usr/bin/time -f '%M %e' -o "$W/time" "$CLI" predict --model m --models_folder "$W/models" --image "$W/s/image.tif" \
        --out "$W/s/out.tif" >/dev/null 2>&1
    read -r kb seconds <"$W/time"
    voxels=$((z * y * x))
    printf '%-16s %12d %12.0f %10s\n' "$z,$y,$x" "$voxels" "$(echo "$kb / 1024" | bc -l)" "$seconds"
    rows+=("$voxels $kb")
    rm -rf "$W/s"
done
# Least squares through the three points: RSS = fixed + per_voxel * voxels.
printf '%s\n' "${rows[@]}" | awk '{ n++; x += $1; y += $2 * 1024; xx += $1 * $1; xy += $1 * $2 * 1024 }
    END { b = (n * xy - x * y) / (n * xx - x * x); a = (y - b * x) / n;
          printf "fit: %.0f MB + %.1f bytes per voxel\n", a / 1048576, b }'
