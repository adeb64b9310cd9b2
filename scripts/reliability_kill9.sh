#!/usr/bin/env bash
# kill -9 at random moments of training and resume (not in the test command: about 4 minutes).
#   bash scripts/reliability_kill9.sh [ROUNDS]   (default 50)
# Each round starts a training of one model (or resumes it when it exists), kills it with
# SIGKILL after a random 0.2 to 4 s (during start-up, an iteration, a checkpoint write, a
# validation, the final save), then checks that `segtrain models` can read the model (never
# `broken`) and that no lock holds it. At the end the model is resumed to its total, and its
# training_log.csv must equal an uninterrupted run's with the same seed, iteration for iteration:
# every kill lost nothing that a checkpoint had, and doubled nothing.
set -euo pipefail
ROUNDS=${1:-50}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/setup.sh" >/dev/null 2>&1 || { echo "kill9: setup failed"; exit 1; }
CLI=$REPO/target/release/segtrain
W=$(mktemp -d "${TMPDIR:-/tmp}/segtrain-kill9.XXXXXX")
trap 'rm -rf "$W"' EXIT
M=$W/models
"$CLI" demo-data --out "$W/data" --slices 3 --height 96 --width 96 >/dev/null
TRAIN=(--image "$W/data/image.tif" --labels "$W/data/labels.tif" --models_folder "$M")
RECIPE=(--config Semantic2D --iteration_total 150 --iteration_save 10 --window_size 1,48,48 --samples_per_batch 2 --validation_fraction 0.2
    --validation_every 30 --seed 3 --cpus 2)

"$CLI" train "${TRAIN[@]}" "${RECIPE[@]}" --model_name reference >/dev/null 2>&1
kills=0
for round in $(seq 1 "$ROUNDS"); do
    if [ -f "$M/m/model.json" ]; then
        "$CLI" train --resume "${TRAIN[@]}" --model_name m >"$W/last.log" 2>&1 &
    else
        "$CLI" train "${TRAIN[@]}" "${RECIPE[@]}" --model_name m >"$W/last.log" 2>&1 &
    fi
    pid=$!
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.2 + 3.8 * rand() }')"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
    listed=$("$CLI" models --models_folder "$M")
    if grep -q $'^m\t?\tbroken' <<<"$listed"; then
        echo "round $round: the model is broken after kill -9:"; echo "$listed"; exit 1
    fi
    if grep -q $'^m\tSemantic2D\tcomplete' <<<"$listed"; then
        echo "round $round: finished before the kill; starting over"
        rm -rf "${M:?}/m"
    fi
done
if [ -f "$M/m/model.json" ]; then
    "$CLI" train --resume "${TRAIN[@]}" --model_name m >/dev/null 2>&1 || { echo "the final resume failed"; "$CLI" train --resume "${TRAIN[@]}" --model_name m; exit 1; }
else
    "$CLI" train "${TRAIN[@]}" "${RECIPE[@]}" --model_name m >/dev/null 2>&1
fi
leftovers=$(find "$M/m" -name '.*' | wc -l)
cut -d, -f1,2 "$M/reference/training_log.csv" >"$W/reference.csv"
cut -d, -f1,2 "$M/m/training_log.csv" >"$W/m.csv"
if ! cmp -s "$W/reference.csv" "$W/m.csv"; then
    echo "the killed and resumed run's log differs from the uninterrupted one:"
    diff "$W/reference.csv" "$W/m.csv" | head -20
    exit 1
fi
[ "$leftovers" -eq 0 ] || { echo "temporary files left in the model folder:"; find "$M/m" -name '.*'; exit 1; }
echo "kill9: $kills kills in $ROUNDS rounds; every model readable; the final log equals the uninterrupted run's ($(($(wc -l <"$W/m.csv") - 1)) iterations); no temporary files left"
