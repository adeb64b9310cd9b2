#!/usr/bin/env bash
# About SegTrain works from a macro: version and default models folder on stdout, no dialog.
source "$(dirname "$0")/lib.sh"
run_imagej "$MACROS/about.ijm"
expect_line '^SegTrain [0-9]' "the version line"
expect_line '^Default models folder: /' "the default models folder"
expect_line '^E2E-MACRO-DONE' "the macro's last line"
echo "ok"
