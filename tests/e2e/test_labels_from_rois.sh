#!/usr/bin/env bash
# Labels from ROIs: ROIs named after their class become a 16-bit label stack, the rest the
# ignore value; the dialog records a complete macro line (DialogFiller fills it with the
# Recorder open), and that line replayed in -batch mode gives the same labels.
source "$(dirname "$0")/lib.sh"
IJ_TIMEOUT=120
mkdir -p "$WORK/plugins"
cp -r "$PLUGINS"/. "$WORK/plugins/"
javac -nowarn -cp "$IJ_JAR" -d "$WORK/plugins" "$E2E_DIR/helpers/DialogFiller.java" || fail "compiling the helper"
PLUGINS=$WORK/plugins run_imagej_windows "$MACROS/labels_from_rois.ijm" "$WORK;record"
[ -f "$WORK/recorded.txt" ] || fail "the interactive run did not finish"
cat "$WORK/recorded.txt"
line=$(grep '^run("Labels from ROIs", ' "$WORK/recorded.txt") || fail "no Labels from ROIs line recorded"
for key in image=em ignore_label=65535; do
    grep -qF -- "$key" <<<"$line" || fail "the recorded line lacks $key: $line"
done
awk -v line="$line" '/\/\/ REPLAY/ { print line; next } { print }' "$MACROS/labels_from_rois.ijm" >"$WORK/replay.ijm"
grep -qF "$line" "$WORK/replay.ijm" || fail "the replay macro lacks the recorded line"
run_imagej "$WORK/replay.ijm" "$WORK;replay"
# Slice 1: background rectangle (0) at (5,5), nothing at (24,14); slice 2: the hole (1) there.
expect_line "^E2E-LABELS replay bits=16 slices=2 0 65535 1 65535$" "the replayed labels"
expect_line "^SegTrain: labels from 2 ROIs: " "the summary in the Log"
# No ROIs: a message that says what to do; the macro stops and ImageJ exits.
printf '%s\n' 'newImage("em", "8-bit ramp", 40, 30, 1);' 'roiManager("reset");' \
    'run("Labels from ROIs", "image=em ignore_label=65535");' 'print("E2E-AFTER");' >"$WORK/empty.ijm"
run_imagej "$WORK/empty.ijm"
expect_line "^SegTrain error: the ROI Manager holds no ROIs: draw the annotations" "the no-ROIs message"
! grep -q '^E2E-AFTER' "$OUT" || fail "the macro went on after the error"
echo "ok"
