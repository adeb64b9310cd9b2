#!/usr/bin/env bash
# The installable package on a machine that has never seen this build: scripts/package.sh builds
# it, it is unzipped into a fresh Fiji.app layout, and ImageJ runs with a HOME without any libtorch
# (the build's cache out of sight). Without libtorch, SegTrain says so and names the installer; the
# macro command Install libtorch... installs it from a local copy of the real wheels (the real
# index's digests; tests/e2e/wheel_mirror.py), and then training and auto-labelling work.
source "$(dirname "$0")/lib.sh"
bash "$REPO/scripts/package.sh" >"$WORK/package.log" 2>&1 || { cat "$WORK/package.log"; fail "scripts/package.sh failed"; }
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -n 1)
zip=$REPO/dist/SegTrain-$version-linux64.zip
[ -f "$zip" ] || fail "no $zip"
mkdir -p "$WORK/unzipped" "$WORK/home"
unzip -q "$zip" -d "$WORK/unzipped"
mv "$WORK/unzipped/SegTrain-$version-linux64" "$WORK/Fiji.app"
for f in plugins/SegTrain_.jar lib/linux64/libsegtrain_jni.so bin/segtrain bin/install-libtorch.sh SegTrain/README.md macros/SegTrain/Train_Example.ijm; do
    [ -f "$WORK/Fiji.app/$f" ] || fail "the package lacks $f"
done
PLUGINS=$WORK/Fiji.app/plugins
wheels=${SEGTRAIN_WHEELS_CACHE:-${SEGTRAIN_CACHE:-$HOME/.cache/segtrain}/wheels} # outside the clone, as setup.sh keeps libtorch
export HOME=$WORK/home
unset SEGTRAIN_NATIVE_LIB SEGTRAIN_LIBTORCH SEGTRAIN_CACHE SEGTRAIN_MODELS_DIR

# 1. No libtorch anywhere: a clear message naming the installer, from the plugin and the CLI.
run_imagej "$MACROS/about.ijm"
expect_line '^SegTrain error: SegTrain needs libtorch 2\.13\.0, which is not installed' "the missing-libtorch message"
expect_line "$WORK/home/.segtrain/libtorch/2.13.0-cpu: not there" "the installer's folder among the places looked at"
expect_line 'Install libtorch\.\.\.' "the way to install it"
! grep -q '^E2E-MACRO-DONE' "$OUT" || fail "the macro went on after the error"
cli_rc=0
"$WORK/Fiji.app/bin/segtrain" version >"$WORK/cli.out" 2>&1 || cli_rc=$?
cat "$WORK/cli.out"
[ "$cli_rc" -eq 2 ] || fail "bin/segtrain without libtorch exited with $cli_rc, not 2"
grep -q 'install-libtorch.sh' "$WORK/cli.out" || fail "bin/segtrain does not name bin/install-libtorch.sh"

# 2. Install libtorch from a macro, from a local index with the real wheels.
python3 "$E2E_DIR/wheel_mirror.py" "$REPO/native/libtorch.properties" cpu "$wheels" "$WORK/mirror" || fail "wheel_mirror.py failed"
(cd "$WORK/mirror" && exec python3 -m http.server --bind 127.0.0.1 0 >"$WORK/http.log" 2>&1) &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do grep -q 'port [0-9]' "$WORK/http.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$WORK/http.log" | head -n 1)
[ -n "$port" ] || fail "the local index did not start"
export SEGTRAIN_INDEX=http://127.0.0.1:$port/simple/
run_imagej "$MACROS/install_libtorch.ijm"
! grep -q 'SegTrain error' "$OUT" || fail "SegTrain reported an error"
expect_line "^SegTrain: libtorch 2\.13\.0 \(cpu\) installed in $WORK/home/.segtrain/libtorch/2.13.0-cpu" "the installed line"
expect_line "^SegTrain: ready" "the ready line (loaded without a restart)"
expect_line "found as: installed \($WORK/home/.segtrain/libtorch/2.13.0-cpu\)" "About naming the installed libtorch"
expect_line '^E2E-MACRO-DONE' "the macro's last line"
[ -f "$WORK/home/.segtrain/libtorch/2.13.0-cpu/segtrain-install.properties" ] || fail "no install marker"
unset SEGTRAIN_INDEX

# 3. Train and auto-label with it, in a new ImageJ; and the CLI finds it too.
run_imagej "$MACROS/autolabel_evaluate.ijm" "$WORK/models"
! grep -q 'SegTrain error' "$OUT" || fail "SegTrain reported an error"
expect_line "^SegTrain: model 'e2e' saved in " "the training's \"saved in\" line"
expect_line "^SegTrain: labelled segtrain-demo-image with model 'e2e'" "the \"labelled\" line"
run_imagej "$MACROS/train_gpu.ijm" "$WORK/models"
expect_line "^SegTrain error: (invalid settings: )?gpus: 1 GPU\(s\) asked for but this machine has 0 usable CUDA device\(s\): .*libtorch_cuda.so is missing: this is the CPU libtorch \(Plugins > SegTrain > Install libtorch\.\.\. installs the CUDA one\)" "the GPU-on-a-CPU-libtorch message"
"$WORK/Fiji.app/bin/segtrain" version >"$WORK/cli.out" 2>&1 || { cat "$WORK/cli.out"; fail "bin/segtrain version failed"; }
grep -q "libtorch folder: $WORK/home/.segtrain/libtorch/2.13.0-cpu/torch/lib" "$WORK/cli.out" || fail "bin/segtrain did not use the installed libtorch"
echo "ok"
