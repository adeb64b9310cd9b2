# Shared helpers for the e2e tests; sourced by each tests/e2e/test_*.sh.
#   REPO     repository root
#   PLUGINS  ImageJ plugins folder with SegTrain_.jar and libsegtrain_jni.so
#   IJ_JAR   ImageJ 1 jar (Debian's imagej package)
#   WORK     a fresh temporary folder for this test (removed unless E2E_KEEP=1)
#   OUT      the file where run_imagej stores what ImageJ printed
set -u
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(cd "$E2E_DIR/../.." && pwd)}
PLUGINS=${PLUGINS:-$REPO/java-plugin/build/plugins}
IJ_JAR=${IJ_JAR:-/usr/share/java/ij.jar}
IJ_TIMEOUT=${IJ_TIMEOUT:-300}
MACROS=$E2E_DIR/macros
WORK=$(mktemp -d "${TMPDIR:-/tmp}/segtrain-e2e.XXXXXX")
OUT=$WORK/imagej.out
if [ "${E2E_KEEP:-0}" != 1 ]; then trap 'rm -rf "$WORK"' EXIT; fi

# Ends the test as failed; run.sh shows the reason.
fail() {
    echo "REASON: $*"
    exit 1
}

# run_imagej MACRO [ARG]: runs the macro in ImageJ -batch under a virtual display.
# ImageJ exits 0 even when the macro failed, so tests check $OUT and the files written.
run_imagej() {
    imagej_with -batch "$@"
}

# run_imagej_windows MACRO [ARG]: the same with ImageJ's windows (-macro, not -batch), for what
# batch mode does not show (plot windows). The macro writes what the test checks to a file and
# ends with close("*") and run("Quit").
run_imagej_windows() {
    imagej_with -macro "$@"
}

# imagej_with MODE MACRO [ARG]: runs ImageJ with MODE (-batch or -macro); fails the test when
# ImageJ hangs, exits non-zero, or prints a Java exception (a plugin's uncaught exception is
# printed, not fatal).
imagej_with() {
    [ -f "$PLUGINS/SegTrain_.jar" ] || fail "no $PLUGINS/SegTrain_.jar: run 'gradle --offline -q build installPlugin' first"
    local rc=0
    # ImageJ keeps its preferences (SegTrain's remembered dialog values among them) under
    # user.home: each test gets its own, so that no test sees what an earlier one typed.
    mkdir -p "$WORK/home"
    timeout "$IJ_TIMEOUT" xvfb-run -a java -Xmx4g -Duser.home="$WORK/home" -Dplugins.dir="$PLUGINS" -jar "$IJ_JAR" \
        "$1" "$2" "${3:-}" >"$OUT" 2>&1 || rc=$?
    echo "---- ImageJ output ($2, $1) ----"
    cat "$OUT"
    echo "---- end, exit code $rc ----"
    [ "$rc" -ne 124 ] || fail "ImageJ did not exit within ${IJ_TIMEOUT}s"
    [ "$rc" -eq 0 ] || fail "ImageJ exited with code $rc"
    if grep -q '^java\.lang\.\|^\s*at ij\.' "$OUT"; then fail "ImageJ printed a Java exception"; fi
    return 0
}

# expect_line REGEX WHAT: $OUT must contain a line matching the extended regex.
expect_line() {
    grep -Eq -- "$1" "$OUT" || fail "output lacks $2"
}

# Word-like number match: 80 but not 7680 or 800.
has_number() {
    grep -Eq -- "(^|[^0-9])$1([^0-9]|\$)" <<<"$2"
}
