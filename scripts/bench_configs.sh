#!/usr/bin/env bash
# Training speed of each config at its default window and batch, on SegTrain's generated demo
# stack, on this machine's CPU: iterations per second and the share of time the trainer waited
# for data. Appends a dated table to BENCHMARKS.md. Not part of the test command.
#   bash scripts/bench_configs.sh [iterations]     (default 40)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/setup.sh"
iterations=${1:-40}
work=$(mktemp -d "${TMPDIR:-/tmp}/segtrain-bench.XXXXXX")
segtrain=$REPO/target/release/segtrain
"$segtrain" demo-data --out "$work/data" --slices 16 --height 256 --width 256 --seed 1 >/dev/null
rows=()
for config in Semantic2D Semantic3D Instance2D Instance3D; do
    labels=$work/data/labels.tif
    [[ $config == Instance* ]] && labels=$work/data/instances.tif
    result=$("$segtrain" train --image "$work/data/image.tif" --labels "$labels" --config "$config" \
        --model_name "bench-$config" --models_folder "$work/models" --iteration_total "$iterations" \
        --iteration_save "$iterations" --validation_fraction 0 --seed 1 2>/dev/null)
    row=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("| %s | %s | %.2f | %.1f %% | %.3f -> %.3f |" % (sys.argv[2], sys.argv[3], 1/r["seconds_per_iteration"], 100*r["data_wait_share"], r["first_loss"], r["final_loss"]))' \
        "$result" "$config" "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print("%s x %d" % (",".join(map(str, c["window_size"])), c["samples_per_batch"]))' "$REPO/configs/$config.json")")
    echo "$row"
    rows+=("$row")
done
{
    echo
    echo "## Training speed per config ($(date -u +%Y-%m-%d), $(nproc) CPU threads, no GPU)"
    echo
    echo "\`bash scripts/bench_configs.sh $iterations\`: $iterations iterations on the generated 16 x 256 x 256 demo stack, default window and batch, CPU."
    echo
    echo "| config | window x batch | iterations/s | waiting for data | loss first -> last 10 |"
    echo "| --- | --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
} >> "$REPO/BENCHMARKS.md"
rm -rf "$work"
