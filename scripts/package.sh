#!/usr/bin/env bash
# Builds the installable package: dist/SegTrain-<version>-linux64/ and its .zip, laid out as a
# Fiji.app (and update site) is. Unzipped over Fiji.app it works on any Linux x86_64 machine;
# libtorch is installed there by Plugins > SegTrain > Install libtorch... (or bin/install-libtorch.sh).
#   bash scripts/package.sh
# The native code is built in target/package with build paths stripped (nothing in the package
# names this machine: checked at the end), the Java with Java 8's API (Fiji's Java).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/setup.sh"
cd "$REPO"
say() { echo "package: $*" >&2; }

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
name=SegTrain-$version-linux64
out=$REPO/dist/$name

say "building the native library and the CLI without build paths (target/package)"
remap="--remap-path-prefix=$REPO=segtrain --remap-path-prefix=$HOME/.cargo=cargo --remap-path-prefix=$LIBTORCH=libtorch"
remap_c="-ffile-prefix-map=$REPO=segtrain -ffile-prefix-map=$HOME/.cargo=cargo -ffile-prefix-map=$LIBTORCH=libtorch"
RUSTFLAGS="$remap" CFLAGS="$remap_c" CXXFLAGS="$remap_c" SEGTRAIN_NO_RPATH=1 CARGO_TARGET_DIR=$REPO/target/package \
    cargo build --release --quiet -p segtrain-jni -p segtrain-cli

say "checking that the plugin uses only Java 8's API"
java8=$(mktemp -d)
trap 'rm -rf "$java8"' EXIT
javac -nowarn --release 8 -encoding UTF-8 -cp /usr/share/java/ij.jar -d "$java8" \
    $(find java-plugin/src/main/java -name '*.java')
gradle --offline -q jar

rm -rf "$out" "$out.zip"
mkdir -p "$out/plugins" "$out/lib/linux64" "$out/macros/SegTrain" "$out/bin" "$out/SegTrain"
cp java-plugin/build/libs/SegTrain_.jar "$out/plugins/"
cp target/package/release/libsegtrain_jni.so "$out/lib/linux64/"
cp target/package/release/segtrain "$out/bin/segtrain-cli"
cp scripts/package/segtrain scripts/package/install-libtorch.sh "$out/bin/"
cp macros/*.ijm "$out/macros/SegTrain/"
cp scripts/package/README.md "$out/SegTrain/README.md"
strip --strip-debug "$out/lib/linux64/libsegtrain_jni.so" "$out/bin/segtrain-cli"

say "checking that nothing in the package names this machine"
leaks=$(grep -r -l -a -F -e "$REPO" -e "$HOME/" -e "$LIBTORCH" "$out" || true)
for f in $out/lib/linux64/libsegtrain_jni.so $out/bin/segtrain-cli; do
    if readelf -d "$f" | grep -q -E 'RPATH|RUNPATH'; then leaks="$leaks $f(rpath)"; fi
done
if [ -n "$leaks" ]; then
    say "FAILED: build paths in: $leaks"
    exit 1
fi

(cd "$REPO/dist" && rm -f "$name.zip" && zip -q -r "$name.zip" "$name")
say "done: $out and $out.zip ($(du -h "$out.zip" | cut -f1))"
