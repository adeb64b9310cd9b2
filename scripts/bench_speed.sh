#!/usr/bin/env bash
# Speed harness (issue 12): SegTrain against a Python/PyTorch reference of the same network, loss
# and optimiser step (scripts/speed_reference.py: PyTorch's defaults, NCHW fp32, eager), run from
# the same libtorch build. Interleaved A/B (SegTrain, reference, SegTrain, reference, ...), warm-up
# iterations excluded, medians over the rounds:
#   - training s/iteration: Semantic2D (window 1,256,256, batch 2, isbi2012 from ../shared/data,
#     generated demo stacks when absent) and Instance3D (its config's window and batch, generated
#     16 x 256 x 256 demo stack, 5 x 5 x 40 nm);
#   - auto-label of a 30 x 512 x 512 stack with the Semantic2D model (window 256, overlap 0.5,
#     batch 4, Gaussian blending; the reference is a MONAI-style sliding window);
#   - achieved GFLOP/s of both (convolution and matrix FLOPs counted by PyTorch's FlopCounterMode
#     on the reference network, which is SegTrain's) beside this CPU's measured ceilings (3x3
#     convolution with 64 channels fp32 NCHW, fp32 channels-last, bf16 channels-last; GEMM
#     fp32 and bf16);
#   - peak memory (maximum RSS, /usr/bin/time) of every process.
# Before timing, it proves the reference network is SegTrain's: SegTrain's saved weights load
# into it by name and shape, the parameter counts match, and both label the same stack with the
# same probabilities (max abs difference printed).
#
#   bash scripts/bench_speed.sh [SEGTRAIN_BINARY]      (default target/release/segtrain)
#
# Environment: BENCH_QUICK=1 (few iterations, 2-slice auto-label stack, 1 round: checks the
# harness in a few minutes; the table says so), BENCH_ROUNDS (default 3), BENCH_THREADS (default
# nproc), BENCH_DATA (default ../shared/data), BENCH_VENV (default ~/.cache/segtrain/bench-venv),
# BENCH_APPEND=1 (append the table to BENCHMARKS.md; it is always printed and kept in
# target/bench_speed/table.md), BENCH_KEEP=1 (keep the work folder).
# The reference needs a PyTorch that imports: the first run makes the venv (pip install
# torch==2.13.0 numpy tifffile, ~4.7 GB: the torch wheel's CUDA dependencies are needed for
# `import torch` even on a CPU) with the Python whose wheel tag matches the project's libtorch,
# and checks that its libtorch_cpu.so is byte for byte the one SegTrain links.
# Not part of the test command. Full run: 11 minutes on 2 idle cores (2026-12-02, Xeon), plus about
# 3 for the venv the first time; quick: about 6 minutes on a shared 2-core machine.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "bench_speed: $*" >&2; }

segtrain=${1:-$REPO/target/release/segtrain}
if [ $# -eq 0 ] && [ ! -x "$segtrain" ]; then
    say "no $segtrain yet: building it (scripts/setup.sh)"
    # shellcheck source=/dev/null
    source "$REPO/scripts/setup.sh" >/dev/null
fi
[ -x "$segtrain" ] || { say "not an executable: $segtrain"; exit 2; }
segtrain=$(cd "$(dirname "$segtrain")" && pwd)/$(basename "$segtrain")

quick=${BENCH_QUICK:-0}
threads=${BENCH_THREADS:-$(nproc)}
data=${BENCH_DATA:-$REPO/../shared/data}
venv=${BENCH_VENV:-$HOME/.cache/segtrain/bench-venv}
torch_version=$(sed -n 's/^version=//p' "$REPO/native/libtorch.properties")
libtorch=${LIBTORCH:-${SEGTRAIN_CACHE:-$HOME/.cache/segtrain}/torch-$torch_version-cpu/torch}
if [ "$quick" = 1 ]; then
    rounds=${BENCH_ROUNDS:-1}; s2d_iters=5; i3d_iters=5; warmup=2; predict_slices=2; ceiling_s=0.5
else
    rounds=${BENCH_ROUNDS:-3}; s2d_iters=25; i3d_iters=25; warmup=5; predict_slices=30; ceiling_s=3
fi

# ---------------------------------------------------------------- the reference's venv
python=$venv/bin/python
if ! "$python" -c "import torch, numpy, tifffile; assert torch.__version__.split('+')[0] == '$torch_version'" 2>/dev/null; then
    free_gb=$(df -Pk "$(dirname "$venv")" 2>/dev/null | awk 'NR==2 {print int($4 / 1048576)}')
    [ "${free_gb:-0}" -ge 8 ] || { say "need about 8 GB free for the reference's venv at $venv (have ${free_gb:-?} GB)"; exit 2; }
    # The Python whose wheel tag matches the project's libtorch install, so that pip brings the
    # very same libtorch_cpu.so (the wheels of one release differ per Python version).
    tag=$(sed -n 's/^Tag: cp\([0-9]\)\([0-9]*\)-.*/\1.\2/p' "$libtorch"/../torch-*.dist-info/WHEEL 2>/dev/null | head -1)
    base=python3
    for candidate in "python$tag" "$HOME/.pyenv/versions/$tag"*/bin/python3; do
        if [ -n "$tag" ] && command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import venv' 2>/dev/null; then base=$candidate; break; fi
    done
    say "making the reference's venv at $venv with $base (torch==$torch_version, numpy, tifffile; ~4.7 GB)"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$base" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "torch==$torch_version" numpy tifffile
fi
ref_lib=$("$python" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so"))')
same_libtorch="no (reference $(sha256sum "$ref_lib" | cut -c1-12), SegTrain $(sha256sum "$libtorch/lib/libtorch_cpu.so" 2>/dev/null | cut -c1-12))"
if cmp -s "$ref_lib" "$libtorch/lib/libtorch_cpu.so"; then
    same_libtorch="yes (libtorch_cpu.so sha256 $(sha256sum "$ref_lib" | cut -c1-12))"
fi
say "same libtorch as SegTrain: $same_libtorch"

# ---------------------------------------------------------------- data
mkdir -p "$REPO/target"
W=$(mktemp -d "$REPO/target/bench_speed.XXXXXX")
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
ref=$REPO/scripts/speed_reference.py
if [ -f "$data/isbi2012/images.tif" ] && [ -f "$data/isbi2012/labels.tif" ]; then
    s2d_image=$data/isbi2012/images.tif; s2d_labels=$data/isbi2012/labels.tif; s2d_data="isbi2012 (20 x 512 x 512)"
else
    "$segtrain" demo-data --out "$W/s2d" --slices 20 --height 512 --width 512 --seed 1 >/dev/null
    s2d_image=$W/s2d/image.tif; s2d_labels=$W/s2d/labels.tif; s2d_data="generated demo stack (20 x 512 x 512; isbi2012 absent)"
fi
"$segtrain" demo-data --out "$W/i3d" --slices 16 --height 256 --width 256 --seed 1 >/dev/null
"$segtrain" demo-data --out "$W/predict" --slices "$predict_slices" --height 512 --width 512 --seed 2 >/dev/null
i3d_window=$("$python" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(",".join(map(str, c["window_size"])), c["samples_per_batch"])' "$REPO/configs/Instance3D.json")
read -r i3d_window i3d_batch <<<"$i3d_window"

results=$W/results.jsonl
: >"$results"
record() { "$python" -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(json.loads(sys.argv[2])); print(json.dumps(d))' "$1" "$2" >>"$results"; }
timed() { # timed LOG -- command...: runs it under /usr/bin/time; prints "peak_kb wall_s"
    local log=$1; shift
    if ! /usr/bin/time -f '%M %e' -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
        say "failed: $*"; tail -20 "$log.err" >&2; exit 1
    fi
    cat "$log.time"
}
# s/iteration of a SegTrain run from its training_log.csv: iterations after the warm-up.
segtrain_rate() { awk -F, -v w="$warmup" 'NR > 1 { e[$1] = $4; n = $1 } END { printf "%.6f", (e[n] - e[w]) / (n - w) }' "$1"; }

segtrain_train() { # CASE IMAGE LABELS CONFIG WINDOW BATCH ITERATIONS ROUND [voxel flags]
    local case=$1 image=$2 labels=$3 config=$4 window=$5 batch=$6 iters=$7 round=$8; shift 8
    local name=$case-$round
    read -r kb wall < <(timed "$W/$name" "$segtrain" train --image "$image" --labels "$labels" --config "$config" \
        --model_name "$name" --models_folder "$W/models" --window_size "$window" --samples_per_batch "$batch" \
        --iteration_total "$iters" --iteration_save "$iters" --validation_fraction 0 --scale 1 --seed 1 \
        --cpus "$threads" "$@")
    [ "$round" -gt 0 ] || return 0  # round 0 only makes the models for the checks
    record "{\"case\": \"$case\", \"impl\": \"segtrain\", \"round\": $round}" \
        "{\"s\": $(segtrain_rate "$W/models/$name/training_log.csv"), \"rss_kb\": $kb, \"wall_s\": $wall, \"data_wait_share\": $("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["data_wait_share"])' "$W/$name.out")}"
}
reference_train() { # CASE IMAGE LABELS CONFIG WINDOW BATCH ITERATIONS ROUND [--voxel-nm X,Y,Z]
    local case=$1 image=$2 labels=$3 config=$4 window=$5 batch=$6 iters=$7 round=$8; shift 8
    read -r kb wall < <(timed "$W/ref-$case-$round" "$python" "$ref" train --config "$REPO/configs/$config.json" \
        --image "$image" --labels "$labels" --window "$window" --batch "$batch" --iterations "$iters" \
        --warmup "$warmup" --threads "$threads" "$@")
    local out; out=$(cat "$W/ref-$case-$round.out")
    record "$out" "{\"case\": \"$case\", \"impl\": \"reference\", \"round\": $round, \"rss_kb\": $kb, \"wall_s\": $wall}"
}

# ---------------------------------------------------------------- equality of the networks
# In fp32 on both sides (the reference's precision): SegTrain's `auto` may compute in bf16, whose
# probabilities differ by about 0.01; the timed runs below use SegTrain's defaults.
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
say "$(date -u +%H:%M:%S) proving the reference network equals SegTrain's"
segtrain_train s2d "$s2d_image" "$s2d_labels" Semantic2D 1,256,256 2 3 0
segtrain_train i3d "$W/i3d/image.tif" "$W/i3d/instances.tif" Instance3D "$i3d_window" "$i3d_batch" 3 0 --x_nm 5 --y_nm 5 --z_nm 40
"$segtrain" crop --in "$W/predict/image.tif" --out "$W/check2d.tif" --z 0:1 >/dev/null
"$segtrain" crop --in "$W/i3d/image.tif" --out "$W/check3d.tif" --z 0:8 --y 0:160 --x 0:160 >/dev/null
checks=()
for pair in "s2d-0 check2d" "i3d-0 check3d"; do
    read -r model stack <<<"$pair"
    timed "$W/check-$model" "$segtrain" predict --model "$model" --models_folder "$W/models" --image "$W/$stack.tif" \
        --out "$W/$stack-labels.tif" --probabilities "$W/$stack-p.tif" --cpus "$threads" --precision fp32 >/dev/null
    timed "$W/refcheck-$model" "$python" "$ref" check --model "$W/models/$model" --image "$W/$stack.tif" \
        --segtrain-probabilities "$W/$stack-p.tif" --threads "$threads" >/dev/null
    checks+=("$(cat "$W/refcheck-$model.out")")
    say "check $model: $(cat "$W/refcheck-$model.out")"
done
"$python" - "${checks[@]}" <<'EOF' || { say "the reference network is not SegTrain's: no timing"; exit 1; }
import json, sys
for c in map(json.loads, sys.argv[1:]):
    ok = (c["parameters_segtrain"] == c["parameters_reference"] and c["spec_rebuilt_from_config_equal"]
          and c["probabilities_max_abs_diff"] < 1e-4 and c["loss_tests_pass"] and c["sgd_test_pass"] and c["adamw_test_pass"])
    if not ok:
        sys.exit(1)
EOF

# ---------------------------------------------------------------- ceilings, FLOPs of auto-label
say "$(date -u +%H:%M:%S) measuring this CPU's ceilings ($threads threads)"
timed "$W/ceilings" "$python" "$ref" ceilings --threads "$threads" --seconds "$ceiling_s" >/dev/null
timed "$W/flops" "$python" "$ref" flops --model "$W/models/s2d-0" --batch 4 --threads "$threads" >/dev/null

# ---------------------------------------------------------------- interleaved A/B
for round in $(seq 1 "$rounds"); do
    say "$(date -u +%H:%M:%S) round $round/$rounds: Semantic2D training"
    segtrain_train s2d "$s2d_image" "$s2d_labels" Semantic2D 1,256,256 2 "$s2d_iters" "$round"
    reference_train s2d "$s2d_image" "$s2d_labels" Semantic2D 1,256,256 2 "$s2d_iters" "$round"
    say "$(date -u +%H:%M:%S) round $round/$rounds: Instance3D training"
    segtrain_train i3d "$W/i3d/image.tif" "$W/i3d/instances.tif" Instance3D "$i3d_window" "$i3d_batch" "$i3d_iters" "$round" --x_nm 5 --y_nm 5 --z_nm 40
    reference_train i3d "$W/i3d/image.tif" "$W/i3d/instances.tif" Instance3D "$i3d_window" "$i3d_batch" "$i3d_iters" "$round" --voxel-nm 5,5,40
    say "$(date -u +%H:%M:%S) round $round/$rounds: auto-label ${predict_slices} x 512 x 512"
    read -r kb wall < <(timed "$W/predict-$round" "$segtrain" predict --model s2d-0 --models_folder "$W/models" \
        --image "$W/predict/image.tif" --out "$W/predict-labels.tif" --overlap 0.5 --batch 4 --cpus "$threads")
    record "$(cat "$W/predict-$round.out")" "{\"case\": \"predict\", \"impl\": \"segtrain\", \"round\": $round, \"rss_kb\": $kb, \"wall_s\": $wall}"
    read -r kb wall < <(timed "$W/refpredict-$round" "$python" "$ref" predict --model "$W/models/s2d-0" \
        --image "$W/predict/image.tif" --out "$W/ref-predict-labels.tif" --overlap 0.5 --batch 4 --threads "$threads")
    record "$(cat "$W/refpredict-$round.out")" "{\"case\": \"predict\", \"impl\": \"reference\", \"round\": $round, \"rss_kb\": $kb, \"wall_s\": $wall}"
done
say "$(date -u +%H:%M:%S) done"

# ---------------------------------------------------------------- the table
command="bash scripts/bench_speed.sh"
[ $# -eq 0 ] || command="$command $1"
[ "$quick" = 1 ] && command="BENCH_QUICK=1 $command"
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs ($threads threads used), $(free -g | awk '/^Mem:/ {print $2}') GB RAM"
flags=$(grep -o -w 'avx512f\|avx512_bf16\|amx_bf16\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')
mkdir -p "$REPO/target/bench_speed"
"$python" - "$results" "$W/ceilings.out" "$machine" "$flags" "$command" "$quick" "$rounds" "$warmup" \
    "$s2d_iters" "$i3d_iters" "$predict_slices" "$s2d_data" "$i3d_window x $i3d_batch" "$same_libtorch" \
    "$("$segtrain" version 2>/dev/null | head -1)" "$(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- native || echo '+changes')" \
    "$load_start, $(cut -d' ' -f1-3 /proc/loadavg) at the end" "$W/flops.out" \
    "$(grep -oh 'precision auto -> [a-z0-9]*' "$W/s2d-1.err" | head -1 | sed 's/.*-> //')" \
    "$(grep -q 'channels-last layout' "$W/s2d-1.err" && echo channels-last || echo NCHW)" "${checks[@]}" <<'EOF' | tee "$REPO/target/bench_speed/table.md"
import json, statistics, sys, datetime
(results, ceilings, machine, flags, command, quick, rounds, warmup, s2d_iters, i3d_iters, slices,
 s2d_data, i3d_shape, same_lib, version, commit, load, flops_file, precision, layout) = sys.argv[1:21]
precision = precision or "fp32"  # what SegTrain's `precision auto` resolved to in training
checks = [json.loads(c) for c in sys.argv[21:]]
rows = [json.loads(l) for l in open(results)]
ceil = json.load(open(ceilings))
timed = [r for r in rows if r["round"] > 0]

def values(case, impl, key):
    return [r[key] for r in timed if r["case"] == case and r["impl"] == impl]

def med(case, impl, key):
    v = values(case, impl, key)
    return statistics.median(v) if v else float("nan")

def ref_value(case, key):
    return next(r[key] for r in timed if r["case"] == case and r["impl"] == "reference")

for r in timed:  # one name for the time of either side
    if "seconds_per_iteration" in r:
        r["s"] = r["seconds_per_iteration"]
    if r["case"] == "predict":
        r["s"] = r["seconds"]
flops = {"s2d": ref_value("s2d", "flops_per_iteration"), "i3d": ref_value("i3d", "flops_per_iteration"),
         "predict": json.load(open(flops_file))["flops_per_window"] * ref_value("predict", "windows")}
date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
mode = "QUICK MODE (checks the harness; few iterations, too few for conclusions)" if quick == "1" else "full"
print()
print("## Speed harness (issue 12): SegTrain against a PyTorch reference, %s, %s" % (date, mode))
print()
print("`%s` on %s (%s), load average (1, 5, 15 min) %s. SegTrain %s, commit %s. Reference: "
      "`scripts/speed_reference.py`, PyTorch defaults (NCHW, fp32, eager, torch.optim), same libtorch: %s. "
      "SegTrain runs with its defaults: `precision auto` -> %s on this CPU."
      % (command, machine, flags.strip() or "no AVX2", load, version, commit, same_lib, precision))
print()
print("Interleaved A/B (SegTrain then reference, %s round(s)), medians; training times exclude %s warm-up "
      "iterations (%s timed of %s for Semantic2D, %s of %s for Instance3D). Semantic2D: window 1,256,256, batch 2, "
      "%s. Instance3D: window x batch %s, generated 16 x 256 x 256 stack at 5 x 5 x 40 nm. Auto-label: Semantic2D "
      "model, generated %s x 512 x 512 stack, window 256, overlap 0.5, batch 4, Gaussian blending, threshold; "
      "time from the stack in memory to the label file written. GFLOP/s: convolution and matrix FLOPs of the "
      "network (PyTorch's FlopCounterMode: %.1f GFLOP per Semantic2D iteration, %.1f per Instance3D iteration, "
      "%.2f per auto-label window), divided by the time. Peak memory: maximum RSS of the process. SegTrain trains with its own data "
      "pipeline (augmentations on background threads, which share the CPU); the reference crops and flips "
      "windows of precomputed targets in its loop."
      % (rounds, warmup, int(s2d_iters) - int(warmup), s2d_iters, int(i3d_iters) - int(warmup), i3d_iters,
         s2d_data, i3d_shape, slices, flops["s2d"] / 1e9, flops["i3d"] / 1e9,
         flops["predict"] / ref_value("predict", "windows") / 1e9))
print()
print("| measurement | SegTrain | PyTorch reference | reference / SegTrain |")
print("| --- | --- | --- | --- |")
for case, label, unit in [("s2d", "Semantic2D training", "s/iteration"), ("i3d", "Instance3D training", "s/iteration"),
                          ("predict", "Auto-label %s x 512 x 512" % slices, "s")]:
    a, b = med(case, "segtrain", "s"), med(case, "reference", "s")
    print("| %s, %s | %.3f | %.3f | %.2fx |" % (label, unit, a, b, b / a))
    print("| %s, GFLOP/s | %.1f | %.1f | |" % (label, flops[case] / a / 1e9, flops[case] / b / 1e9))
    ka, kb = med(case, "segtrain", "rss_kb"), med(case, "reference", "rss_kb")
    print("| %s, peak memory MB | %.0f | %.0f | %.2f |" % (label, ka / 1024, kb / 1024, kb / ka))
    if case != "predict":
        print("| %s, share of the time waiting for data | %.1f %% | (windows made in the loop) | |"
              % (label, 100 * med(case, "segtrain", "data_wait_share")))
a, b = med("predict", "segtrain", "wall_s"), med("predict", "reference", "wall_s")
print("| Auto-label, whole process (start-up, reading) s | %.2f | %.2f | %.2fx |" % (a, b, b / a))
print()
def g(key):
    v = ceil[key]
    return "**%s** (%s)" % (("%.1f" if v < 10 else "%.0f") % v, ceil[key + "_size"])

print("Ceilings of this CPU (%s threads, PyTorch in the reference's venv, CPU capability %s), GFLOP/s of "
      "the fastest call (in brackets: image side, batch 2, for convolutions; matrix side for GEMM): 3x3 convolution 64 channels "
      "fp32 NCHW %s, fp32 channels-last %s, bf16 channels-last %s; GEMM fp32 %s, bf16 %s. Semantic2D training "
      "reaches %.0f %% (SegTrain) and %.0f %% (reference) of the fp32 NCHW convolution ceiling, %.0f %% and %.0f %% "
      "of the fp32 channels-last one."
      % (ceil["threads"], ceil["cpu_capability"], g("conv3x3_64_fp32_nchw"), g("conv3x3_64_fp32_channels_last"),
         g("conv3x3_64_bf16_channels_last"), g("gemm_fp32"), g("gemm_bf16"),
         100 * flops["s2d"] / med("s2d", "segtrain", "s") / 1e9 / ceil["conv3x3_64_fp32_nchw"],
         100 * flops["s2d"] / med("s2d", "reference", "s") / 1e9 / ceil["conv3x3_64_fp32_nchw"],
         100 * flops["s2d"] / med("s2d", "segtrain", "s") / 1e9 / ceil["conv3x3_64_fp32_channels_last"],
         100 * flops["s2d"] / med("s2d", "reference", "s") / 1e9 / ceil["conv3x3_64_fp32_channels_last"]))
# The ceiling of what SegTrain's Semantic2D training computes in (its Log says the layout).
own = {("bf16", "channels-last"): "conv3x3_64_bf16_channels_last", ("fp32", "channels-last"): "conv3x3_64_fp32_channels_last"}
own = own.get((precision, layout), "conv3x3_64_fp32_nchw")
print()
print("SegTrain's Semantic2D training (%s, %s) reaches **%.0f %%** of the ceiling of its precision and layout."
      % (precision, layout, 100 * flops["s2d"] / med("s2d", "segtrain", "s") / 1e9 / ceil[own]))
print()
print("Same network: SegTrain's saved weights load into the reference by name and shape (%s), parameters %s "
      "(Semantic2D) and %s (Instance3D) on both sides, the 3D network's levels rebuilt from the config equal "
      "model.json's, and SegTrain's `predict --probabilities` against the reference's sliding window from "
      "the same weights: max abs difference %g (Semantic2D, %d windows) and %g (Instance3D, %d windows, "
      "%d channels). SegTrain's loss and optimiser unit-test cases give the same numbers through the "
      "reference's loss and torch.optim.SGD / AdamW: %s."
      % ("%d and %d tensors" % (checks[0]["weights"], checks[1]["weights"]),
         checks[0]["parameters_segtrain"], checks[1]["parameters_segtrain"],
         checks[0]["probabilities_max_abs_diff"], checks[0]["windows"],
         checks[1]["probabilities_max_abs_diff"], checks[1]["windows"], checks[1]["channels"],
         "yes" if all(c["loss_tests_pass"] and c["sgd_test_pass"] and c["adamw_test_pass"] for c in checks) else "NO"))
print()
print("Per round (s): " + "; ".join("%s %s %s" % (case, impl, ", ".join("%.3f" % v for v in values(case, impl, "s")))
                                  for case in ("s2d", "i3d", "predict") for impl in ("segtrain", "reference")))
EOF
if [ "${BENCH_APPEND:-0}" = 1 ]; then
    cat "$REPO/target/bench_speed/table.md" >>"$REPO/BENCHMARKS.md"
    say "appended to BENCHMARKS.md"
fi
say "table: $REPO/target/bench_speed/table.md"
