#!/usr/bin/env bash
# Auto Label's outputs look like Fiji results: the title drops the image's file extension, instance
# ids get a colour LUT (background black), rois=roi_manager puts one ROI per object and slice in
# the ROI Manager (named "id N z S", on slice S, covering value N only), rois=overlay outlines them
# on the labelled image (a second run replaces them), and a semantic model trained on 0/255 labels
# gives 0/255 back with a colour for 255. Pictures of the results go to $E2E_ARTEFACTS (default:
# a segtrain-e2e-artefacts folder in the temporary folder) for a person to look at.
source "$(dirname "$0")/lib.sh"

ART=${E2E_ARTEFACTS:-${TMPDIR:-/tmp}/segtrain-e2e-artefacts}
mkdir -p "$ART"
run_imagej "$MACROS/label_outputs.ijm" "$WORK/models,$ART"
! grep -q 'SegTrain error' "$OUT" || fail "SegTrain reported an error"
expect_line "^E2E-MACRO-DONE" "the macro's last line (it was aborted)"
! grep -q '^BAD ' "$OUT" || fail "a ROI does not match its name: $(grep '^BAD ' "$OUT" | head -n 3)"

value() { # value LINE_PREFIX KEY: the last KEY=... on the lines starting with LINE_PREFIX
    grep "^$1 " "$OUT" | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -n 1
}
[ "$(value INSTANCE title)" = segtrain-demo-image-labels ] || fail "instance labels are titled '$(value INSTANCE title)', not segtrain-demo-image-labels"
[ "$(value INSTANCE gray)" = 0 ] || fail "the instance LUT is a gray ramp"
[ "$(value INSTANCE lut0)" = 0,0,0 ] || fail "LUT entry 0 (background) is $(value INSTANCE lut0), not black"
[ "$(value INSTANCE lut1)" != "$(value INSTANCE lut2)" ] || fail "ids 1 and 2 have the same colour"
rois=$(value INSTANCE rois)
expected=$(value INSTANCE expected)
echo "instance: $rois ROIs, labels imply $expected; display $(value INSTANCE display)"
[ -n "$rois" ] && [ "$rois" -gt 0 ] || fail "no ROIs in the ROI Manager (rois=$rois)"
[ "$rois" = "$expected" ] || fail "$rois ROIs in the ROI Manager, the labels imply $expected"
[ "$(value INSTANCE bad)" = 0 ] || fail "$(value INSTANCE bad) ROIs do not match their names"

overlay=$(value OVERLAY size)
[ "$overlay" -gt 0 ] || fail "no overlay on the labelled image"
[ "$overlay" = "$(value OVERLAY expected)" ] || fail "overlay of $overlay ROIs, the labels imply $(value OVERLAY expected)"
[ "$(value OVERLAY again)" = "$overlay" ] || fail "a second run left $(value OVERLAY again) ROIs in the overlay, not $overlay"

[ "$(value SEMANTIC title)" = segtrain-demo-image-labels ] || fail "semantic labels are titled '$(value SEMANTIC title)'"
[ "$(value SEMANTIC max)" = 255 ] && [ "$(value SEMANTIC min)" = 255 ] || fail "threshold 0 gave values $(value SEMANTIC min)-$(value SEMANTIC max), not 255 (the training foreground)"
[ "$(value SEMANTIC gray)" = 0 ] || fail "the semantic LUT is a gray ramp"
[ "$(value SEMANTIC lut0)" = 0,0,0 ] || fail "the background class is $(value SEMANTIC lut0), not black"
lut255=$(value SEMANTIC lut255)
IFS=, read -r r g b <<<"$lut255"
[ "$r" != "$g" ] || [ "$g" != "$b" ] || fail "class 255 is gray ($lut255)"
[ "$(value SEMANTIC rois)" = 2 ] && [ "$(value SEMANTIC expected)" = 2 ] || fail "semantic: $(value SEMANTIC rois) ROIs, expected one per slice (2)"
[ "$(value SEMANTIC bad)" = 0 ] || fail "semantic ROIs do not match their names"
expect_line "^SegTrain: labelled segtrain-demo-image.tif with model 'sem' in [0-9.]+ s: classes 0, 255" "the semantic model's classes in the log"
for f in instance-labels instance-overlay; do
    [ -s "$ART/label_outputs-$f.png" ] || fail "no picture $ART/label_outputs-$f.png"
done
echo "pictures: $ART/label_outputs-instance-labels.png, $ART/label_outputs-instance-overlay.png"
echo "ok"
