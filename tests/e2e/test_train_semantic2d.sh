#!/usr/bin/env bash
# Trains Semantic2D for 60 iterations from a macro and checks the model folder it leaves.
source "$(dirname "$0")/lib.sh"
run_imagej "$MACROS/train_semantic2d.ijm" "$WORK/models"
model=$WORK/models/e2e

expect_line "SegTrain: model 'e2e' saved in " "the \"saved in\" line"
expect_line "^E2E-MACRO-DONE" "the macro's last line (it was aborted)"
[ -d "$model" ] || fail "no model folder $model"
[ -f "$model/model.json" ] || fail "no model.json"
grep -q '"Semantic2D"' "$model/model.json" || fail "model.json does not name Semantic2D"
ls "$model"/*.safetensors >/dev/null 2>&1 || fail "no *.safetensors weights in $model"
[ -d "$model/checkpoints" ] || fail "no checkpoints folder"
for it in 20 40 60; do
    ls "$model/checkpoints" | grep -Eq "(^|[^0-9])0*$it([^0-9]|\$)" \
        || fail "no checkpoint for iteration $it in: $(ls "$model/checkpoints" | tr '\n' ' ')"
done

log=$model/training_log.csv
[ -f "$log" ] || fail "no training_log.csv"
header=$(head -n 1 "$log")
grep -q iteration <<<"$header" && grep -q loss <<<"$header" || fail "training_log.csv header lacks iteration/loss: $header"
# Mean loss of the first and the last third of the rows; training must have lowered it.
read -r first last rows < <(awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "loss") col = i; if (!col) for (i = 1; i <= NF; i++) if ($i ~ /loss/ && !col) col = i; next }
    { loss[++n] = $col }
    END {
        k = int(n / 3); if (k < 1) { print "nan nan " n; exit }
        for (i = 1; i <= k; i++) { a += loss[i]; b += loss[n - k + i] }
        printf "%.6f %.6f %d\n", a / k, b / k, n
    }' "$log")
echo "loss: first third $first, last third $last, $rows rows"
[ "$rows" -ge 3 ] || fail "training_log.csv has only $rows rows"
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a) }' || fail "loss did not fall: first third $first, last third $last"
echo "ok"
