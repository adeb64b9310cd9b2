#!/usr/bin/env bash
# The product's demo macro, shortened to a few iterations, into a temporary models folder.
source "$(dirname "$0")/lib.sh"
run_imagej "$REPO/macros/SegTrain_Demo.ijm" "iterations=30 models=$WORK/models name=demo-e2e"

expect_line "SegTrain: model 'demo-e2e' saved in " "the \"saved in\" line"
expect_line "^SegTrain demo: model folder $WORK/models/demo-e2e\$" "the demo's model folder line"
[ -f "$WORK/models/demo-e2e/model.json" ] || fail "no model.json in $WORK/models/demo-e2e"
echo "ok"
