#!/usr/bin/env bash
# Installs what SegTrain needs and builds it. Idempotent and quiet when everything is there.
# Sourced by demo.sh and test.sh (it exports LIBTORCH for cargo); can also be run on its own.
#
# Needs: Debian 12 with Rust (cargo), Python 3 with pip, a JDK 17 and make.
# Installs: apt packages (imagej, gradle, junit4, xvfb, xauth), libtorch 2.13.0 from PyPI into
# a cache outside the clone (~/.cache/segtrain, or $SEGTRAIN_CACHE) so fresh clones reuse it.
# A machine with an NVIDIA GPU (nvidia-smi works) gets the full CUDA install (~4.7 GB), other
# machines the slim CPU one (~1.2 GB); SEGTRAIN_TORCH=cpu|cuda overrides the choice.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "setup: $*" >&2; }

apt_packages=(imagej gradle junit4 xvfb xauth)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing apt packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

flavour=${SEGTRAIN_TORCH:-}
if [ -z "$flavour" ]; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then flavour=cuda; else flavour=cpu; fi
fi
# The version and the CPU flavour's wheels: native/libtorch.properties (one file for every reader).
torch_version=$(sed -n 's/^version=//p' "$REPO/native/libtorch.properties")
cpu_wheels=$(sed -n 's/^cpu=//p' "$REPO/native/libtorch.properties")
cache=${SEGTRAIN_CACHE:-$HOME/.cache/segtrain}
torch_dir=$cache/torch-$torch_version-$flavour
if [ ! -f "$torch_dir/.complete" ]; then
    say "downloading libtorch $torch_version ($flavour) from PyPI into $torch_dir"
    rm -rf "$torch_dir"
    mkdir -p "$cache"
    if [ "$flavour" = cuda ]; then
        python3 -m pip install -q --disable-pip-version-check --target "$torch_dir" "torch==$torch_version"
    else
        # libtorch_cpu.so still links against the CUDA runtime and CUPTI libraries: bring just those.
        # shellcheck disable=SC2086 # the list is words
        python3 -m pip install -q --disable-pip-version-check --no-deps --target "$torch_dir" $cpu_wheels
    fi
    touch "$torch_dir/.complete"
fi
export LIBTORCH=$torch_dir/torch

cd "$REPO"
say "building (cargo build --release)"
cargo build --release --quiet
say "building the ImageJ plugin (gradle)"
gradle --offline -q build installPlugin -x test
