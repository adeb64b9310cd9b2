#!/bin/sh
# Installs the libtorch SegTrain needs into ~/.segtrain/libtorch, without Fiji (for the command
# line on a cluster); the same installer as Plugins > SegTrain > Install libtorch...
#   install-libtorch.sh [--flavour cpu|cuda|auto] [--reinstall]
# Offline or behind a proxy it says which wheels to fetch by hand and where to put them.
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v java >/dev/null 2>&1; then
    echo "install-libtorch: needs java (8 or newer); Fiji's own java works too (Fiji.app/java/...)" >&2
    exit 2
fi
exec java -cp "$here/../plugins/SegTrain_.jar" segtrain.install.InstallMain "$@"
