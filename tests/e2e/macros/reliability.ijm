// e2e: bad inputs through every SegTrain command in one ImageJ. Each case runs as its own macro
// (runMacro of reliability_case.ijm), so a refused command aborts only that case.
// Argument: "MODELS|WORK|CASE_MACRO", where WORK
// holds the demo stacks image.tif and labels.tif (written by the CLI, 2 slices of 64x64 at
// 5x5x40 nm) and receives log.txt.
args = split(getArgument(), "|");
models = args[0];
work = args[1];
caseMacro = args[2];
open(work + "/image.tif");
open(work + "/labels.tif");
newImage("rgb", "RGB ramp", 64, 64, 2);
newImage("nan", "32-bit ramp", 64, 64, 2);
setPixel(3, 4, NaN);
newImage("constant", "8-bit black", 64, 64, 2);
run("Set...", "value=3 stack");
newImage("probabilities", "32-bit black", 64, 64, 2);
run("Set...", "value=0.5 stack");
newImage("zeros", "8-bit black", 64, 64, 2);
newImage("narrow", "8-bit ramp", 48, 64, 2);
newImage("big-ids", "32-bit black", 64, 64, 2);
setPixel(1, 1, 16777218);
selectImage("image.tif");
run("Duplicate...", "title=microns duplicate");
run("Properties...", "unit=micron pixel_width=1 pixel_height=1 voxel_depth=1");

m = " models_folder=[" + models + "]";
t = "Train Model...";
train = " config=Semantic2D iteration_total=2 iteration_save=2 window_size=1,32,32 samples_per_batch=1" + m;
pair = "image=image.tif labels=labels.tif";
cases = newArray(
    t + "|image=image.tif labels=missing" + train + " model_name=n",
    t + "|image=missing labels=labels.tif" + train + " model_name=n",
    t + "|image=rgb labels=labels.tif" + train + " model_name=n",
    t + "|image=image.tif labels=rgb" + train + " model_name=n",
    t + "|image=narrow labels=labels.tif" + train + " model_name=n",
    t + "|image=nan labels=labels.tif" + train + " model_name=n",
    t + "|image=constant labels=labels.tif" + train + " model_name=n",
    t + "|image=image.tif labels=probabilities" + train + " model_name=n",
    t + "|image=image.tif labels=zeros" + train + " model_name=n",
    t + "|image=image.tif labels=big-ids" + train + " model_name=n",
    t + "|" + pair + " config=Semantic2D iteration_total=100 iteration_save=7 window_size=1,32,32" + m + " model_name=n",
    t + "|" + pair + train + " model_name=../escape",
    t + "|" + pair + " config=Semantic2D iteration_total=2 iteration_save=2 window_size=1,128,128" + m + " model_name=n",
    t + "|" + pair + train + " base_lr=-1 model_name=n",
    t + "|" + pair + train + " cpus=1000 model_name=n",
    t + "|" + pair + train + " model_name=good",
    "Auto Label...|image=image.tif model=ghost" + m,
    "Auto Label...|image=nan model=good" + m,
    "Auto Label...|image=microns model=good" + m,
    "Auto Label...|image=image.tif model=newer" + m,
    "Auto Label...|image=image.tif model=garbage-weights" + m,
    "Resume Training...|image=narrow labels=narrow model=good" + m + " iteration_total=4",
    "Resume Training...|" + pair + " model=good" + m + " iteration_total=0",
    "Resume Training...|" + pair + " model=good" + m + " iteration_total=4 gpus=abc",
    "Evaluate...|segmentation=labels.tif truth=narrow kind=semantic",
    "Tune Post-processing...|image=image.tif labels=narrow model=good" + m
);
for (i = 0; i < cases.length; i++) {
    runMacro(caseMacro, "" + (i + 1) + "|" + cases[i]);
}
print("E2E-ALL-CASES-RAN " + cases.length);
File.saveString(getInfo("log"), work + "/log.txt");
run("Quit");
