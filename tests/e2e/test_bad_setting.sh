#!/usr/bin/env bash
# iteration_save=7 with iteration_total=100: refused by name, macro aborted, no model folder.
source "$(dirname "$0")/lib.sh"
run_imagej "$MACROS/bad_setting.ijm" "$WORK/models"

expect_line '^SegTrain error:.*iteration_save' "an error naming iteration_save"
! grep -q '^E2E-AFTER-TRAIN' "$OUT" || fail "the macro went on after the error"
[ ! -e "$WORK/models/bad" ] || fail "a model folder was created"
echo "ok"
