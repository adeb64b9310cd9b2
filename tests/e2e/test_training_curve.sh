#!/usr/bin/env bash
# The training curve (ImageJ with windows under Xvfb): Train Model, stopped with Esc after
# iteration 10 of 60 (50 iterations of slack for the Esc to arrive), then Resume Training. One
# window for the model: the resume draws into it, starting with the stopped run's points (its
# history), and goes on to 60; the validation points (every 6 by default: ten in 60 iterations) are kept the same way; training_curve.png
# is in the model folder after the stop and after the resume. A screenshot of the window is
# saved for a person to look at (its path is printed; E2E_KEEP=1 keeps it).
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/plugins"
cp -r "$PLUGINS"/. "$WORK/plugins/"
javac -nowarn -cp "$IJ_JAR" -d "$WORK/plugins" "$E2E_DIR/helpers/PressEsc.java" || fail "compiling the helper"
SCREENSHOT=$WORK/training_curve_window.png
PLUGINS=$WORK/plugins run_imagej_windows "$MACROS/training_curve.ijm" "$WORK/models,$WORK/result.txt,$WORK/log.txt,$SCREENSHOT"
[ -f "$WORK/result.txt" ] && [ -f "$WORK/log.txt" ] || fail "the macro wrote no result"
cat "$WORK/log.txt" "$WORK/result.txt"
OUT=$WORK/log.txt # the Log window: what expect_line reads from here on
TITLE='SegTrain [curve] training curve'

expect_line "^SegTrain \[curve\] cancelled after [0-9]+ iterations; last checkpoint" "the stop by Esc"
stopped_at=$(sed -n 's/^SegTrain \[curve\] cancelled after \([0-9]*\) iterations.*/\1/p' "$OUT" | head -n 1)
[ "$stopped_at" -ge 10 ] && [ "$stopped_at" -lt 60 ] || fail "Esc stopped at iteration '$stopped_at', not between 10 and 60"
expect_line "^SegTrain \[curve\] training 60 iterations on .* into .*, validation every 6" "the default validation interval (every 6) in the started line"
expect_line "^SegTrain \[curve\] curve history up to iteration $stopped_at: " "the resumed run's history line"
[ "$(grep -c "^SegTrain \[curve\] training curve saved: .*/curve/training_curve.png" "$OUT")" -eq 2 ] \
    || fail "training_curve.png was not saved both after Esc and after the resume"

line() { sed -n "s/^$1 //p" "$WORK/result.txt"; }
for run in STOPPED RESUMED; do
    windows=$(grep -cxF "$run TITLE $TITLE" "$WORK/result.txt")
    [ "$windows" -eq 1 ] || fail "$run: $windows windows titled '$TITLE', not one"
done
stopped=$(line "STOPPED POINTS")
resumed=$(line "RESUMED POINTS")
stopped_v=$(line "STOPPED VALIDATIONS")
resumed_v=$(line "RESUMED VALIDATIONS")
[ "${stopped%% *}" = 10 ] || fail "the stopped run's curve does not begin at iteration 10: '$stopped'"
[[ "$resumed " == "$stopped "* ]] || fail "the resumed curve does not begin with the stopped run's points: '$stopped' vs '$resumed'"
[ "${resumed##* }" = 60 ] || fail "the resumed curve does not end at iteration 60: '$resumed'"
[ "$(wc -w <<<"$resumed")" -gt "$(wc -w <<<"$stopped")" ] || fail "the resumed curve did not grow"
[ "${stopped_v%% *}" = 6 ] || fail "the stopped run's first validation is not at 6: '$stopped_v'"
[[ "$resumed_v " == "$stopped_v "* ]] || fail "the resumed validations do not begin with the stopped run's: '$stopped_v' vs '$resumed_v'"
[ "$(wc -w <<<"$resumed_v")" -eq 10 ] || fail "not ten validation points (every 6 of 60): '$resumed_v'"
[ "$(line "STOPPED PNG")" -gt 5000 ] || fail "no training_curve.png after Esc: $(line "STOPPED PNG") bytes"

# training_curve.png and the screenshot are real PNGs of the curve's size.
png_size() {
    python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
print(*struct.unpack(">II", data[16:24]), len(data))
PY
}
read -r width height bytes < <(png_size "$WORK/models/curve/training_curve.png") || fail "training_curve.png is not a PNG"
echo "training_curve.png: ${width}x${height}, $bytes bytes"
[ "$width" -ge 600 ] && [ "$height" -ge 400 ] && [ "$bytes" -gt 5000 ] || fail "training_curve.png is ${width}x${height}, $bytes bytes"
read -r sw sh _ < <(png_size "$SCREENSHOT") || fail "no screenshot of the curve window"
[ "$sw" -ge "$width" ] && [ "$sh" -ge "$height" ] || fail "the screenshot (${sw}x${sh}) is smaller than the curve (${width}x${height})"
echo "SCREENSHOT $SCREENSHOT (${sw}x${sh}; kept with E2E_KEEP=1)"
echo "ok"
