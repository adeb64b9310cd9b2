#!/usr/bin/env bash
# Train Model's scale=auto measures the objects and trains at half size; Auto Label brings a
# stack at the original size to the model's scale and returns labels at the stack's own size.
source "$(dirname "$0")/lib.sh"
run_imagej "$MACROS/scale_auto.ijm" "$WORK/models"
expect_line "^SegTrain \[big\] scale: median object [0-9]+ px across -> scale 2" "the Log line with the measured scale"
expect_line "^SegTrain \[big\] post-processing tuned on the validation block: AP@0.5 " "the tuning line"
expect_line "^LABELS=big-image-labels 768x768x2$" "labels at the stack's own size"
expect_line "^SegTrain \[big\] resampling from 0.6[23]x0.6[23]x40.00 nm to the model.s 1.25x1.25x40.00 nm" "auto-label resampling to the model scale"
expect_line "^E2E-MACRO-DONE" "the macro's last line"
factor=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["scale"]["factor"])' "$WORK/models/big/model.json")
[ "$factor" = "[1, 2, 2]" ] || fail "model.json records the scale factor $factor, not [1, 2, 2]"
echo "ok"
