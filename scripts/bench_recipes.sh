#!/usr/bin/env bash
# Time-to-accuracy of training recipes on real EM data (../shared/data): each variant is the
# shipped config with some recipe keys changed (written to a config file of its own), trained
# for a fixed time budget's worth of iterations with the same seed, then auto-labels a held-out
# block it never saw, which is scored. The validation curve (IoU on the validation block against
# minutes) comes from each model's training_log.csv. Appends a table to BENCHMARKS.md.
# Not part of the test command (each variant trains for minutes).
#   bash scripts/bench_recipes.sh DATASET ITERATIONS VARIANT...
#   VARIANT: label=key:value,key:value (config keys; values as JSON), e.g.
#     sgd=  adamw-2e-3=optimizer:"adamw",schedule:"cosine",base_lr:0.002,weight_decay:0.01
#   DATASET: chloroplast (Instance2D), plate2d or isbi2012 (Semantic2D), vnc_sstem (Semantic2D, or
#   VNC_CONFIG=Semantic3D).
#   Flags for `segtrain train` (e.g. --samples_per_batch 8) can be given per variant as key `flags`, and
#   another iteration count (equal time for a slower variant) as key `its`:
#     b8=flags:"--samples_per_batch 8",its:600
#   SEED=N (default 1) trains every variant with another seed, to measure the spread between runs.
set -euo pipefail
main() {
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/setup.sh"
[ $# -ge 3 ] || { sed -n 2,15p "$0" >&2; exit 2; }
set_name=$1 iterations=$2 seed=${SEED:-1}
shift 2
data=${SEGTRAIN_DATA:-$REPO/../shared/data}
[ -d "$data" ] || { echo "bench: $data is absent" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/segtrain-recipes.XXXXXX")
seg=$work/segtrain
cp "$REPO/target/release/segtrain" "$seg"
crop() { # crop KEY IMAGE LABELS AXIS TRAIN_RANGE TEST_RANGE
    "$seg" crop --in "$2" --out "$work/train.tif" "--$4" "$5" >/dev/null
    "$seg" crop --in "$3" --out "$work/train.lbl.tif" "--$4" "$5" --labels >/dev/null
    "$seg" crop --in "$2" --out "$work/test.tif" "--$4" "$6" >/dev/null
    "$seg" crop --in "$3" --out "$work/test.lbl.tif" "--$4" "$6" --labels >/dev/null
}
case $set_name in
    chloroplast) config=Instance2D; crop c "$data/chloroplast/images" "$data/chloroplast/labels" y 0:1200 1200:
        # 10 nm assumed (not recorded in the files); only ratios matter.
        voxel=(--voxel-nm 10,10,50)
        score() {
            local fg inst
            fg=$("$seg" evaluate --segmentation "$1" --truth "$work/test.lbl.tif" --kind foreground --json)
            inst=$("$seg" evaluate --segmentation "$1" --truth "$work/test.lbl.tif" --kind instance --per-slice --json)
            python3 -c 'import json,sys; f=json.loads(sys.argv[1]); i=json.loads(sys.argv[2]); print("fg IoU %.3f, AP@0.5 %.3f" % (f["iou"][1], i["ap50"]))' "$fg" "$inst"
        } ;;
    plate2d) config=Semantic2D; crop p "$data/plate2d/image.tif" "$data/plate2d/labels.tif" x 0:408 408:
        voxel=()
        score() {
            local r; r=$("$seg" evaluate --segmentation "$1" --truth "$work/test.lbl.tif" --kind semantic --json)
            python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("hole IoU %.3f" % r["iou"][1])' "$r"
        } ;;
    isbi2012) config=Semantic2D; crop i "$data/isbi2012/images.tif" "$data/isbi2012/labels.tif" z 0:15 15:
        voxel=()
        score() {
            local r; r=$("$seg" evaluate --segmentation "$1" --truth "$work/test.lbl.tif" --kind semantic --json)
            python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("pixel error %.3f" % (1 - r["pixel_accuracy"]))' "$r"
        } ;;
    vnc_sstem) config=${VNC_CONFIG:-Semantic2D}; crop v "$data/vnc_sstem/images.tif" "$data/vnc_sstem/labels.tif" z 0:11 11:
        voxel=() # calibrated: 4.6 x 4.6 x 50 nm
        score() {
            local r; r=$("$seg" evaluate --segmentation "$1" --truth "$work/test.lbl.tif" --kind semantic --json)
            python3 -c 'import json,sys; r=json.loads(sys.argv[1]); i=dict(zip(r["classes"], r["iou"])); print("mitochondria IoU %.3f (membrane %.3f, mean IoU %.3f)" % (i[3], i[1], r["mean_iou"]))' "$r"
        } ;;
    *) echo "bench: unknown dataset $set_name" >&2; exit 2 ;;
esac
rows=()
for variant in "$@"; do
    label=${variant%%=*} changes=${variant#*=}
    # The variant's config file and extra flags.
    IFS='|' read -r its flags < <(python3 - "$config" "$changes" "$work/$label.json" "$REPO/configs" "$iterations" <<'PY'
import json, sys
config, changes, out, configs, its = sys.argv[1:]
c = json.load(open(f"{configs}/{config}.json"))
flags = ""
for part in filter(None, changes.split(",")):
    key, value = part.split(":", 1)
    if key == "flags":
        flags = json.loads(value)
        continue
    if key == "its":
        its = value
        continue
    if key not in c:
        sys.exit(f"bench: {key} is not a key of {config}.json")
    c[key] = json.loads(value)
json.dump(c, open(out, "w"), indent=1)
print(f"{its}|{flags}")
PY
)
    every=$(( its / 10 ))
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$seg" train --image "$work/train.tif" --labels "$work/train.lbl.tif" --config "$work/$label.json" --model_name "$label" \
        --models_folder "$work/models" --iteration_total "$its" --iteration_save "$its" --seed "$seed" --log-every 100 \
        --validation_every "$every" "${voxel[@]}" $flags 2>"$work/$label.train.log" >/dev/null
    trained=$(( $(date +%s) - start ))
    "$seg" predict --model "$label" --models_folder "$work/models" --image "$work/test.tif" --out "$work/$label.pred.tif" \
        "${voxel[@]}" 2>"$work/$label.predict.log" >/dev/null
    result=$(score "$work/$label.pred.tif")
    # Validation IoU against minutes, from the training log, and the tuning line.
    curve=$(python3 - "$work/models/$label/training_log.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r.get("val_iou")]
print(" ".join("%.1f:%.2f" % (float(r["elapsed_s"]) / 60, float(r["val_iou"])) for r in rows))
PY
)
    tuned=$(grep -o 'post-processing tuned.*' "$work/$label.train.log" | sed 's/post-processing tuned on the validation block: //' || true)
    scale=$(grep -oE 'scale: .*-> scale [0-9]+' "$work/$label.train.log" | head -n 1 || true)
    rows+=("| $set_name | $label | \`$changes\` | $its | ${trained} s | $result | $curve | $scale; $tuned |")
    echo "${rows[-1]}"
done
{
    echo
    echo "## Recipes: $set_name ($config), $(date -u +%Y-%m-%d), $(nproc) CPU threads, no GPU"
    echo
    echo "\`bash scripts/bench_recipes.sh $set_name $iterations ...\` (seed $seed; variants are the shipped config with the keys shown changed)."
    echo "Validation curve: minutes:IoU on the validation block during training."
    echo
    echo "| data | variant | changes | iterations | training time | held-out result | validation curve | scale; tuning |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
} >> "$REPO/BENCHMARKS.md"
echo "bench: logs and files in $work"
}

main "$@"; exit  # exit on the same line: bash never reads on into a file edited meanwhile
