#!/usr/bin/env bash
# Trains a small Semantic2D model from a macro, labels the demo image with Auto Label...,
# scores it with Evaluate... and checks the label image (type, size, calibration), the
# probability map and a plausible foreground IoU; then an unknown model name must be
# refused by name, abort the macro and let ImageJ exit.
source "$(dirname "$0")/lib.sh"

run_imagej "$MACROS/autolabel_evaluate.ijm" "$WORK/models"
! grep -q 'SegTrain error' "$OUT" || fail "SegTrain reported an error"
expect_line "^SegTrain: model 'e2e' saved in " "the training's \"saved in\" line"
expect_line "^SegTrain: labelled segtrain-demo-image with model 'e2e' in [0-9.]+ s: " "the \"labelled\" line"
expect_line "^SegTrain: evaluated segtrain-demo-image-labels against segtrain-demo-labels \\(semantic" "the evaluation summary line"
expect_line "^E2E-MACRO-DONE" "the macro's last line (it was aborted)"
labels=$(grep '^LABELS bitDepth=' "$OUT" | tail -n 1)
[ -n "$labels" ] || fail "the macro printed no LABELS line"
grep -q 'bitDepth=8 ' <<<"$labels" || fail "label image is not 8-bit: $labels"
grep -q 'width=96 height=96 nSlices=2 ' <<<"$labels" || fail "label image is not 96x96x2: $labels"
grep -q 'voxel=5/5/40 unit=nm' <<<"$labels" || fail "label image lacks the 5x5x40 nm calibration: $labels"
expect_line '^IMAGE segtrain-demo-image-' "a probability map titled segtrain-demo-image-<channel>"
iou=$(sed -n 's/^IOU_FG=//p' "$OUT" | tail -n 1)
[ -n "$iou" ] || fail "no IOU_FG line (no row for class 1 in the evaluation table)"
echo "foreground IoU after 40 iterations: $iou"
awk -v v="$iou" 'BEGIN { exit !(v >= 0.3 && v <= 1) }' || fail "foreground IoU $iou is not within 0.3..1"

mkdir -p "$WORK/models-empty-but-one"
cp -r "$WORK/models/e2e" "$WORK/models-empty-but-one/"
run_imagej "$MACROS/autolabel_unknown_model.ijm" "$WORK/models-empty-but-one"
expect_line "^SegTrain error: .*no-such-model" "an error naming the unknown model"
expect_line "^SegTrain error: .*models-empty-but-one" "an error naming the models folder"
! grep -q '^E2E-AFTER-AUTOLABEL' "$OUT" || fail "the macro went on after the error"
echo "ok"
