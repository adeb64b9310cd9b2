#!/usr/bin/env bash
# Train Model with an image title that is not open: ImageJ used to wait forever in a modal
# "not a valid choice" dialog under a display; now a SegTrain error names the title and the
# open images, the macro stops, and ImageJ exits.
source "$(dirname "$0")/lib.sh"
IJ_TIMEOUT=120
run_imagej "$MACROS/train_title_not_open.ijm" "$WORK/models"
expect_line "^SegTrain error: labels: no open image is titled 'no-such-labels'; open images: open-image" "the not-open message"
! grep -q '^E2E-AFTER-TRAIN' "$OUT" || fail "the macro went on after the error"
[ ! -e "$WORK/models/never" ] || fail "a model folder was created"
echo "ok"
