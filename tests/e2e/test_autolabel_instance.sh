#!/usr/bin/env bash
# Auto Label's watershed fields (instance models) act: thresholds of 0 give objects, a smallest
# object size above the image's leaves none, and a fractional size is refused by name.
source "$(dirname "$0")/lib.sh"

run_imagej "$MACROS/autolabel_instance.ijm" "$WORK/models"
expect_line "^SegTrain: model 'inst' saved in " "the training's \"saved in\" line"
all=$(sed -n 's/^OBJECTS_ALL_SEEDS=//p' "$OUT" | tail -n 1)
huge=$(sed -n 's/^OBJECTS_HUGE_MIN_SIZE=//p' "$OUT" | tail -n 1)
[ -n "$all" ] && [ -n "$huge" ] || fail "the macro printed no object counts"
awk -v v="$all" 'BEGIN { exit !(v >= 1) }' || fail "no objects with every pixel a seed (max id $all)"
[ "$huge" = 0 ] || fail "objects remain under a smallest size larger than the image (max id $huge)"
expect_line "^E2E-BEFORE-BAD-SIZE" "the macro's line before the fractional size"
expect_line "^SegTrain error: .*min_size: a whole number of voxels" "an error naming min_size"
! grep -q '^E2E-AFTER-BAD-SIZE' "$OUT" || fail "the macro went on after the error"
echo "ok"
