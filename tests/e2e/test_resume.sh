#!/usr/bin/env bash
# Resume Training... from a macro (batch mode): a finished 10-iteration model goes on from its
# checkpoint to 20 iterations (its curve starts with its history and is saved as
# training_curve.png); resuming it again without a higher total is refused by name.
source "$(dirname "$0")/lib.sh"

run_imagej "$MACROS/resume.ijm" "$WORK/models"
expect_line "^SegTrain \[again\] finished 10 iterations" "the first training's end"
expect_line "^SegTrain \[again\] resuming at iteration 10 of 20" "the resumed run's start"
expect_line "^SegTrain \[again\] iteration 20/20 " "iteration 20 of the resumed run"
expect_line "^SegTrain \[again\] finished 20 iterations" "the resumed run's end"
expect_line "^E2E-RESUMED" "the macro's line after resuming"
[ -f "$WORK/models/again/checkpoints/iter_000020.safetensors" ] || fail "no checkpoint at iteration 20"
grep -q '"cpus": 1,' "$WORK/models/again/model.json" || fail "the resumed run's cpus=1 is not in model.json"
# Batch mode shows no curve window, but the curve is saved in the model folder.
expect_line "^SegTrain \[again\] curve history up to iteration 10: 1 training point, 0 validations" "the resumed run's history"
head -c 8 "$WORK/models/again/training_curve.png" | od -An -c | grep -q 'P   N   G' || fail "no training_curve.png in batch mode"
expect_line "^SegTrain error: (invalid settings: )?iteration_total: 'again' has done its 20 iterations" "the refusal naming iteration_total"
! grep -q '^E2E-AFTER-SECOND-RESUME' "$OUT" || fail "the macro went on after the error"
echo "ok"
