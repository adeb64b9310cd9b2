#!/usr/bin/env bash
# Bad inputs through ImageJ macros (26 cases, one ImageJ with windows under Xvfb): every command
# refuses with "SegTrain error: <what is wrong>", aborts the macro, ImageJ survives to the last
# case, and the models folder (a good model and two damaged ones) is exactly as before.
source "$(dirname "$0")/lib.sh"
CLI=$REPO/target/release/segtrain
[ -x "$CLI" ] || fail "no $CLI: run scripts/setup.sh first"
M=$WORK/models
"$CLI" demo-data --out "$WORK" --slices 2 --height 64 --width 64 >/dev/null || fail "demo data"
"$CLI" train --image "$WORK/image.tif" --labels "$WORK/labels.tif" --config Semantic2D --name good --models-dir "$M" \
    --iterations 2 --iteration-save 2 --window 1,32,32 --batch 1 --validation 0 --scale 1 2>/dev/null >/dev/null || fail "training the good model" # scale 1: the messages name its 5 nm voxels
cp -r "$M/good" "$M/newer" && sed -i 's/"schema_version": [0-9]*/"schema_version": 99/' "$M/newer/model.json"
cp -r "$M/good" "$M/garbage-weights" && printf 'not safetensors' >"$M/garbage-weights/model.safetensors"
# Every file and folder in the models folder with its size and time (not the folder's own time:
# a lock file, taken and removed while a command checks a model, touches only that).
state() { (cd "$M" && find . -mindepth 1 -printf '%p %s %T@\n' | sort); }
before=$(state)

run_imagej_windows "$MACROS/reliability.ijm" "$M|$WORK|$MACROS/reliability_case.ijm"
LOG=$WORK/log.txt
[ -f "$LOG" ] || fail "the macro did not finish (no log.txt): ImageJ stopped at a case"
cat "$LOG"
grep -q '^E2E-ALL-CASES-RAN 26$' "$LOG" || fail "not every case ran"
expect_case() { # N TEXT: case N logged an error containing TEXT and went no further
    local lines
    lines=$(awk -v n="$1" '$0 == "CASE " n { on = 1; next } /^CASE / { on = 0 } on' "$LOG")
    grep -qF -- "SegTrain error: " <<<"$lines" || fail "case $1: no SegTrain error"
    grep -qF -- "$2" <<<"$lines" || fail "case $1: the error lacks '$2': $lines"
    ! grep -q "^CASE $1 WENT ON" "$LOG" || fail "case $1: the macro went on after the error"
}
expect_case 1 "labels: no open image is titled 'missing'"
expect_case 2 "image: no open image is titled 'missing'"
expect_case 3 "'rgb' is an RGB colour image; convert to 8-bit grayscale first"
expect_case 4 "'rgb' is an RGB colour image; labels must hold one number per pixel"
expect_case 5 "the image and label stacks differ in size"
expect_case 6 "contains 1 NaN or infinite value(s), the first at slice 1, row 4, column 3"
expect_case 7 "the image stack is constant (every voxel is 3)"
expect_case 8 "has the value 0.5"
expect_case 9 "no labelled pixels (all 0)"
expect_case 10 "above 16777216 floats cannot tell neighbouring ids apart"
expect_case 11 "iteration_save: 7 does not divide iteration_total 100"
expect_case 12 "'../escape' is not a usable model name"
expect_case 13 "window_size: larger than the stack"
expect_case 14 "base_lr: must be a number above 0"
expect_case 15 "the cores of this machine (got 1000)"
expect_case 16 "a model called 'good' already exists"
expect_case 17 "no model called 'ghost'"
expect_case 18 "NaN or infinite value(s)"
expect_case 19 "is 200.000 times the model's 5 nm"
expect_case 20 "schema_version 99 is not one this SegTrain reads"
expect_case 21 "model.safetensors"
expect_case 22 "resuming needs the same stacks"
expect_case 23 "'good' has done its 2 iterations"
expect_case 24 "gpus: 'abc' is not a number"
expect_case 25 "differ in size"
expect_case 26 "differ in size"
after=$(state)
[ "$after" = "$before" ] || fail "the models folder changed: $(diff <(echo "$before") <(echo "$after") | head -5)"
echo "ok"
