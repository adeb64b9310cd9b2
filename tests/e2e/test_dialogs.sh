#!/usr/bin/env bash
# The dialogs built from the Rust schema, used with windows: a refused setting reopens the dialog
# with what was typed and the reason on top; a run's values come back in the next dialog;
# Restore defaults brings the config's defaults back; fields that do not apply are disabled; the
# chosen model is described under its choice.
# Pictures of the dialogs go to $E2E_ARTEFACTS (default: segtrain-e2e-artefacts in the temporary
# folder) for a person to look at.
source "$(dirname "$0")/lib.sh"
CLI=$REPO/target/release/segtrain
[ -x "$CLI" ] || fail "no $CLI: run scripts/setup.sh first"
ART=${E2E_ARTEFACTS:-${TMPDIR:-/tmp}/segtrain-e2e-artefacts}
mkdir -p "$ART"
PICTURES="train-dialog train-dialog-refused auto-label-dialog resume-dialog tune-dialog evaluate-dialog demo-data-dialog"
for picture in $PICTURES; do rm -f "$ART/$picture.png"; done # a picture of an earlier run proves nothing
"$CLI" demo-data --out "$WORK" --slices 2 --height 64 --width 64 >/dev/null || fail "demo data"
mkdir -p "$WORK/plugins"
cp -r "$PLUGINS"/. "$WORK/plugins/"
javac -nowarn -cp "$IJ_JAR" -d "$WORK/plugins" "$E2E_DIR/helpers/DialogFiller.java" "$E2E_DIR/helpers/DialogScript.java" || fail "compiling the helper"
export SEGTRAIN_MODELS_DIR=$WORK/models
# Remembered values live in ImageJ's preferences; the test sets them itself before it reads them.
PLUGINS=$WORK/plugins run_imagej_windows "$MACROS/dialogs.ijm" "$WORK,$ART"
[ -f "$WORK/dialogs.txt" ] || fail "the dialogs did not finish"
cat "$WORK/dialogs.txt"
note() { sed -n "s/^$1=//p" "$WORK/dialogs.txt" | sed -n "${2:-1}p"; }
! grep -q '^helper_error=' "$WORK/dialogs.txt" || fail "the helper failed: $(note helper_error)"
[[ "$(note message)" == *"window_size: y and x must be at least 16"* ]] || fail "the reopened dialog lacks the reason on top: $(note message)"
[ "$(note window_size 1)" = "1,8,8" ] || fail "the reopened dialog lost the typed window: $(note window_size 1)"
[ "$(note model_name 1)" = "pref" ] || fail "the reopened dialog lost the typed name: $(note model_name 1)"
[ -f "$WORK/models/pref/model.json" ] || fail "the corrected dialog trained no model"
[ "$(note model_name 2)" = "pref" ] || fail "the next dialog forgot the model name: $(note model_name 2)"
[ "$(note iteration_total 1)" = "4" ] || fail "the next dialog forgot iteration_total: $(note iteration_total 1)"
[ "$(note samples_per_batch 1)" = "1" ] || fail "the next dialog forgot samples_per_batch: $(note samples_per_batch 1)"
default_window=$("$CLI" help train | sed -n 's/^  --window_size .*(default \(.*\))$/\1/p')
[ -n "$default_window" ] || fail "segtrain help train does not say the default window"
[ "$(note window_size 2)" = "$default_window" ] || fail "Restore defaults: window $(note window_size 2), not $default_window"
[ "$(note iteration_total 2)" = "10000" ] || fail "Restore defaults: iteration_total $(note iteration_total 2)"
[[ "$(note below.model)" == "Semantic2D, complete, 4 iterations, saved 20"*" UTC" ]] ||
    fail "the model choice lacks its line (config, status, iterations, date): $(note below.model)"
[ "$(note threshold.enabled)" = "true" ] || fail "a binary model's threshold is disabled"
[ "$(note seed_contour.enabled)" = "false" ] || fail "the watershed field seed_contour is enabled for a semantic model"
[ "$(note min_size.enabled)" = "false" ] || fail "the watershed field min_size is enabled for a semantic model"
[[ "$(note below.model 2)" == "Semantic2D, complete, 4 iterations, saved 20"*" UTC" ]] ||
    fail "Resume Training's model choice lacks its line: $(note below.model 2)"
for picture in $PICTURES; do
    [ -s "$ART/$picture.png" ] || fail "no picture $ART/$picture.png"
    echo "picture: $ART/$picture.png"
done
echo "ok"
