#!/usr/bin/env bash
# Labels 3x80x96 for an image 3x96x96: refused with both sizes, macro aborted, no model folder.
source "$(dirname "$0")/lib.sh"
run_imagej "$MACROS/size_mismatch.ijm" "$WORK/models"

line=$(grep -E '^SegTrain error:' "$OUT" | head -n 1)
[ -n "$line" ] || fail "no 'SegTrain error:' line"
grep -qi size <<<"$line" || fail "error does not mention the size: $line"
has_number 96 "$line" || fail "error lacks 96: $line"
has_number 80 "$line" || fail "error lacks 80: $line"
! grep -q '^E2E-AFTER-TRAIN' "$OUT" || fail "the macro went on after the error"
[ ! -e "$WORK/models/mismatch" ] || fail "a model folder was created: $WORK/models/mismatch"
echo "ok"
