#!/usr/bin/env bash
# Tune Post-processing... from a macro: the model's post-processing is searched on a labelled
# stack, the Log says the score before and after, and model.json keeps the tuning.
source "$(dirname "$0")/lib.sh"
run_imagej "$MACROS/tune.ijm" "$WORK/models"
expect_line "^SegTrain: model 'tuned' saved in " "the training's end"
expect_line "^SegTrain \[tuned\] post-processing tuned on the labelled stack \(2x96x96 at the model's scale\): AP@0.5 [0-9.]+ -> [0-9.]+" "the tuning line"
expect_line "^E2E-TUNED" "the macro's line after tuning"
python3 - "$WORK/models/tuned/model.json" <<'PY' || fail "model.json has no tuning report"
import json, sys
record = json.load(open(sys.argv[1]))
t = record["tuning"]
assert t["metric"] == "AP@0.5" and t["after"] >= t["before"], t
PY
echo "ok"
