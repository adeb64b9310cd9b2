// e2e: the macro Recorder records complete lines for Train Model, Auto Label, Resume Training,
// Tune Post-processing, Evaluate and Create Demo Data. With the
// Recorder open, DialogFiller (a test helper) fills each dialog and presses OK as a person would;
// the recorded text is saved for test_recording.sh to replay in a fresh ImageJ.
// Argument: WORK, holding image.tif and labels.tif; the models folder is $SEGTRAIN_MODELS_DIR.
work = getArgument();
open(work + "/image.tif");
open(work + "/labels.tif");
run("Record...");
call("DialogFiller.fill", "image=image.tif;labels=labels.tif;iteration_total=4;iteration_save=2;samples_per_batch=1;window_size=1,32,32;model_name=rec;validation_fraction=0;seed=5");
run("Train Model...");
call("DialogFiller.fill", "image=image.tif;model=rec;overlap=0.25;batch=2");
run("Auto Label...");
saveAs("Tiff", work + "/interactive-labels.tif");
call("DialogFiller.fill", "image=image.tif;labels=labels.tif;model=rec;iteration_total=6");
run("Resume Training...");
call("DialogFiller.fill", "image=image.tif;labels=labels.tif;model=rec;weights=final");
run("Tune Post-processing...");
call("DialogFiller.fill", "segmentation=interactive-labels.tif;truth=labels.tif;kind=foreground");
run("Evaluate...");
File.saveString("" + Table.get("mean_iou", 0, "SegTrain Evaluation"), work + "/interactive-eval.txt");
call("DialogFiller.fill", "slices=2;height=48;width=40;seed=3");
run("Create Demo Data");
File.saveString(stackSummary("segtrain-demo-image"), work + "/interactive-demo.txt");
File.saveString(call("DialogFiller.recorded"), work + "/recorded.txt");
run("Quit");

// Size and per-slice mean and spread of an image's pixels: equal stacks give equal text.
function stackSummary(title) {
    selectImage(title);
    text = "" + getWidth() + "x" + getHeight() + "x" + nSlices;
    for (i = 1; i <= nSlices; i++) {
        setSlice(i);
        getRawStatistics(n, mean, min, max, std);
        text = text + " " + d2s(mean, 6) + "/" + d2s(std, 6);
    }
    return text;
}
