#!/usr/bin/env bash
# A plugins folder without libsegtrain_jni.so: a clear error listing where it looked, no hang.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/plugins"
cp "$PLUGINS/SegTrain_.jar" "$WORK/plugins/" 2>/dev/null || fail "no $PLUGINS/SegTrain_.jar"
PLUGINS=$WORK/plugins
unset SEGTRAIN_NATIVE_LIB
run_imagej "$MACROS/about.ijm"
expect_line '^SegTrain error: native library libsegtrain_jni.so not found' "the not-found error"
expect_line "$WORK/plugins/libsegtrain_jni.so" "the plugins folder among the places tried"
! grep -q '^E2E-MACRO-DONE' "$OUT" || fail "the macro went on after the error"
echo "ok"
