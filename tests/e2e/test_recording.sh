#!/usr/bin/env bash
# The Recorder records every command completely: a person's dialogs (filled and OK'd by a test
# helper in ImageJ with windows, Recorder open) give recorded lines which, replayed in a fresh
# ImageJ, train the same model (identical seeded loss curve), label the same, resume it the same,
# tune it to the same values and evaluate to the same score.
source "$(dirname "$0")/lib.sh"
CLI=$REPO/target/release/segtrain
[ -x "$CLI" ] || fail "no $CLI: run scripts/setup.sh first"
"$CLI" demo-data --out "$WORK" --slices 2 --height 64 --width 64 >/dev/null || fail "demo data"
# A copy of the plugins folder with the helper class beside the plugin.
mkdir -p "$WORK/plugins"
cp -r "$PLUGINS"/. "$WORK/plugins/"
javac -nowarn -cp "$IJ_JAR" -d "$WORK/plugins" "$E2E_DIR/helpers/DialogFiller.java" || fail "compiling the helper"
export SEGTRAIN_MODELS_DIR=$WORK/models
PLUGINS=$WORK/plugins run_imagej_windows "$MACROS/recording.ijm" "$WORK"
[ -f "$WORK/recorded.txt" ] || fail "the interactive run did not finish"
cat "$WORK/recorded.txt"
train_line=$(grep '^run("Train Model...", ' "$WORK/recorded.txt") || fail "no Train Model line recorded"
label_line=$(grep '^run("Auto Label...", ' "$WORK/recorded.txt") || fail "no Auto Label line recorded"
resume_line=$(grep '^run("Resume Training...", ' "$WORK/recorded.txt") || fail "no Resume Training line recorded"
tune_line=$(grep '^run("Tune Post-processing...", ' "$WORK/recorded.txt") || fail "no Tune Post-processing line recorded"
evaluate_line=$(grep '^run("Evaluate...", ' "$WORK/recorded.txt") || fail "no Evaluate line recorded"
demo_line=$(grep '^run("Create Demo Data", ' "$WORK/recorded.txt") || fail "no Create Demo Data line recorded"
for key in image= labels= config=Semantic2D iteration_total=4 iteration_save=2 samples_per_batch=1 window_size=1,32,32 \
    model_name=rec validation_fraction=0 seed=5 base_lr= x_nm= models_folder=; do
    grep -qF -- "$key" <<<"$train_line" || fail "the recorded Train Model line lacks $key: $train_line"
done
for key in image= model=rec overlap=0.25 batch=2 weights=; do
    grep -qF -- "$key" <<<"$label_line" || fail "the recorded Auto Label line lacks $key: $label_line"
done
for key in image= labels= model=rec iteration_total=6 models_folder= "precision=[as before]"; do
    grep -qF -- "$key" <<<"$resume_line" || fail "the recorded Resume Training line lacks $key: $resume_line"
done
for key in image= labels= model=rec weights=final models_folder= cpus=; do
    grep -qF -- "$key" <<<"$tune_line" || fail "the recorded Tune Post-processing line lacks $key: $tune_line"
done
for key in segmentation=interactive-labels.tif truth=labels.tif kind=foreground; do
    grep -qF -- "$key" <<<"$evaluate_line" || fail "the recorded Evaluate line lacks $key: $evaluate_line"
done
for key in slices=2 height=48 width=40 seed=3; do
    grep -qF -- "$key" <<<"$demo_line" || fail "the recorded Create Demo Data line lacks $key: $demo_line"
done
# Replay under another model name, in a fresh ImageJ without the helper.
{
    echo "open(\"$WORK/image.tif\");"
    echo "open(\"$WORK/labels.tif\");"
    sed 's/model_name=rec/model_name=replayed/' <<<"$train_line"
    echo 'selectImage("image.tif");'
    sed 's/model=rec/model=replayed/' <<<"$label_line"
    echo "saveAs(\"Tiff\", \"$WORK/replayed-labels.tif\");"
    sed 's/model=rec/model=replayed/' <<<"$resume_line"
    sed 's/model=rec/model=replayed/' <<<"$tune_line"
    echo "open(\"$WORK/interactive-labels.tif\");"
    echo "$evaluate_line"
    echo "File.saveString(\"\" + Table.get(\"mean_iou\", 0, \"SegTrain Evaluation\"), \"$WORK/replayed-eval.txt\");"
    echo "$demo_line"
    echo "File.saveString(stackSummary(\"segtrain-demo-image\"), \"$WORK/replayed-demo.txt\");"
    sed -n '/^function stackSummary/,/^}/p' "$MACROS/recording.ijm"
} >"$WORK/replay.ijm"
cat "$WORK/replay.ijm"
run_imagej "$WORK/replay.ijm"
[ -f "$WORK/models/replayed/model.json" ] || fail "the replayed line trained no model"
cmp -s <(cut -d, -f1,2 "$WORK/models/rec/training_log.csv") <(cut -d, -f1,2 "$WORK/models/replayed/training_log.csv") ||
    fail "the replayed training differs: $(paste -d' ' "$WORK/models/rec/training_log.csv" "$WORK/models/replayed/training_log.csv" | head -6)"
python3 - "$WORK/models/rec/model.json" "$WORK/models/replayed/model.json" <<'PY' || fail "the replayed resume or tuning differs"
import json, sys
rec, rep = (json.load(open(p)) for p in sys.argv[1:])
assert rec["training"]["iterations_done"] == rep["training"]["iterations_done"] == 6, "both resumed to 6"
same = lambda t: {k: v for k, v in t.items() if k != "seconds"}
assert rec["tuning"] is not None and same(rec["tuning"]) == same(rep["tuning"]), (rec["tuning"], rep["tuning"])
assert rec["postprocess"] == rep["postprocess"], (rec["postprocess"], rep["postprocess"])
PY
[ -s "$WORK/interactive-eval.txt" ] && cmp -s "$WORK/interactive-eval.txt" "$WORK/replayed-eval.txt" ||
    fail "the replayed Evaluate differs: $(cat "$WORK/interactive-eval.txt") vs $(cat "$WORK/replayed-eval.txt" 2>/dev/null)"
[ -s "$WORK/interactive-demo.txt" ] && cmp -s "$WORK/interactive-demo.txt" "$WORK/replayed-demo.txt" ||
    fail "the replayed Create Demo Data differs: $(cat "$WORK/interactive-demo.txt") vs $(cat "$WORK/replayed-demo.txt" 2>/dev/null)"
same=$("$CLI" evaluate --prediction "$WORK/replayed-labels.tif" --truth "$WORK/interactive-labels.tif" --kind semantic --json) || fail "evaluate"
grep -q '"pixel_accuracy":1.0' <<<"$same" || fail "the replayed Auto Label differs: $same"
echo "ok"
