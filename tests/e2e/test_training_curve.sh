#!/usr/bin/env bash
# Train Model shows the training curve live in a plot window (ImageJ with windows under Xvfb):
# 40 iterations logged every 10 give the points 10, 20, 30, 40.
source "$(dirname "$0")/lib.sh"

run_imagej_windows "$MACROS/training_curve.ijm" "$WORK/models,$WORK/result.txt"
[ -f "$WORK/result.txt" ] || fail "the macro wrote no result (no curve window to select?)"
cat "$WORK/result.txt"
grep -qx 'TITLE SegTrain \[curve\] training curve' "$WORK/result.txt" || fail "no window 'SegTrain [curve] training curve'"
grep -qx 'LOSS_POINTS 4 FIRST 10 LAST 40' "$WORK/result.txt" || fail "the loss series is not the iterations 10..40"
echo "ok"
