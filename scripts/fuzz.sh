#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz / libFuzzer) of what SegTrain reads from people's files:
# the TIFF reader, the settings JSON, model.json and checkpoints. Not in the test command.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]   (default 900 s, every target)
# Needs a nightly toolchain and cargo-fuzz (cargo install cargo-fuzz). The working corpus grows
# in native/fuzz/corpus/<target> (not committed) from the committed seeds in native/fuzz/seeds;
# a finding is written to native/fuzz/artifacts/<target>/ and ends the run with its input.
# A single allocation above 512 MB counts as a finding: no input of a few kB justifies it.
set -euo pipefail
SECONDS_PER_TARGET=${1:-900}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(tiff settings model_json checkpoint)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
export LIBTORCH=${LIBTORCH:-$HOME/.cache/segtrain/torch-2.13.0-cpu/torch}
export LD_LIBRARY_PATH=$LIBTORCH/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
failed=()
for target in "${TARGETS[@]}"; do
    mkdir -p "native/fuzz/corpus/$target"
    echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
    cargo +nightly fuzz run --fuzz-dir native/fuzz -s none "$target" "native/fuzz/corpus/$target" "native/fuzz/seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=20 -print_final_stats=1 ||
        { echo "fuzz: $target FOUND an input that fails: native/fuzz/artifacts/$target/"; failed+=("$target"); }
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz: findings in ${failed[*]}"; exit 1; }
echo "fuzz: no findings"
