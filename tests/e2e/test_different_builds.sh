#!/usr/bin/env bash
# A jar and a native library from different builds (here: the jar says another version): a message
# that says so, instead of a crash or a confusing missing-function error later.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/plugins" "$WORK/jar/segtrain"
cp "$PLUGINS/SegTrain_.jar" "$PLUGINS/libsegtrain_jni.so" "$WORK/plugins/" || fail "no plugins folder at $PLUGINS"
echo "version=0.0.1" >"$WORK/jar/segtrain/build.properties"
(cd "$WORK/jar" && jar uf "$WORK/plugins/SegTrain_.jar" segtrain/build.properties) || fail "cannot edit the jar"
PLUGINS=$WORK/plugins
unset SEGTRAIN_NATIVE_LIB
run_imagej "$MACROS/about.ijm"
expect_line '^SegTrain error: SegTrain_.jar is version 0\.0\.1 but .*libsegtrain_jni\.so is 0\.1\.0 .*: they come from different builds' "the different-builds message"
! grep -q '^E2E-MACRO-DONE' "$OUT" || fail "the macro went on after the error"
echo "ok"
