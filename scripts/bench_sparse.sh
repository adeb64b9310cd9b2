#!/usr/bin/env bash
# Dense against sparse labels on plate2d (../shared/data): the same Semantic2D recipe, seed and
# fixed number of iterations, trained once on the dense training labels and once on sparse
# labels made from them (scripts/sparse_labels.py: PER_CLASS discs of RADIUS px per class, half
# along edges, every other pixel unannotated = 255 = --ignore_label), then both label the same
# held-out block as the plate2d rows of bench_accuracy.sh (the right quarter, columns 408..544)
# and are scored by hole IoU. Prints two table rows for BENCHMARKS.md. Not part of the tests.
#   bash scripts/bench_sparse.sh [ITERATIONS (300)] [PER_CLASS (20)] [RADIUS (5)]
set -euo pipefail
main() {
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
iterations=${1:-300} per_class=${2:-20} radius=${3:-5}
data=${SEGTRAIN_DATA:-$REPO/../shared/data}
[ -d "$data/plate2d" ] || { echo "bench: $data/plate2d is absent" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/segtrain-sparse.XXXXXX")
seg=$work/segtrain
cp "$REPO/target/release/segtrain" "$seg"
for part in train:0:408 test:408:; do
    IFS=: read -r name from to <<<"$part"
    "$seg" crop --in "$data/plate2d/image.tif" --out "$work/$name.tif" --x "$from:$to" >/dev/null
    "$seg" crop --in "$data/plate2d/labels.tif" --out "$work/$name.lbl.tif" --x "$from:$to" --labels >/dev/null
done
share=$(python3 "$REPO/scripts/sparse_labels.py" "$work/train.lbl.tif" "$work/train.sparse.tif" --per-class "$per_class" --radius "$radius" --ignore 255 --seed 1)
echo "sparse labels: $share" >&2
# Semantic2D defaults (window 128 x 4, SGD 0.02) at scale 1 (what auto picks for plate2d), TTA at auto-label.
recipe=(--config Semantic2D --iterations "$iterations" --iteration-save "$iterations" --seed 1 --log-every 50
    --validation_fraction 0.1 --window_size 1,128,128 --samples_per_batch 4 --scale 1 --cpus 2 --models_folder "$work/models")
# Both trainings run at once (fixed iterations: sharing the cores changes the time, not the result).
train_one() { # train_one NAME LABELS EXTRA_FLAGS...
    local name=$1 labels=$2 start; shift 2
    start=$(date +%s)
    "$seg" train --image "$work/train.tif" --labels "$labels" --model_name "$name" "${recipe[@]}" "$@" 2>"$work/$name.train.log" >/dev/null
    echo $(( $(date +%s) - start )) >"$work/$name.seconds"
}
train_one dense "$work/train.lbl.tif" &
train_one sparse "$work/train.sparse.tif" --ignore_label 255 &
wait
row() { # row NAME LABEL_TEXT
    local name=$1 text=$2
    "$seg" predict --model "$name" --models_folder "$work/models" --image "$work/test.tif" --out "$work/$name.pred.tif" --tta 2>"$work/$name.predict.log" >/dev/null
    local r; r=$("$seg" evaluate --prediction "$work/$name.pred.tif" --truth "$work/test.lbl.tif" --kind semantic --json)
    local iou; iou=$(python3 -c 'import json,sys; print("%.3f" % json.loads(sys.argv[1])["iou"][1])' "$r")
    local tuned; tuned=$(grep -o 'post-processing tuned.*' "$work/$name.train.log" | sed 's/post-processing tuned on the validation block/tuned/' || true)
    echo "| plate2d | Semantic2D | $text | $iterations | $(cat "$work/$name.seconds") s | hole IoU $iou | right quarter held out | $tuned |"
}
row dense "dense (100 %)"
row sparse "sparse: $per_class discs of radius $radius px per class ($(echo "$share" | cut -d' ' -f1) %)"
echo "bench: files in $work" >&2
}
main "$@"; exit  # exit on the same line: bash never reads on into a file edited meanwhile
