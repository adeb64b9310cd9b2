// e2e: the training curve window (ImageJ with windows, not batch mode). A training stopped with
// Esc (pressed by the PressEsc helper once iteration 10 is logged) is resumed: the resume draws
// into the same window, starting with the stopped run's points (its history). Arguments:
// "models folder,result file,log file,screenshot file". The result file gets, after each run, the
// open image titles, the curve window's points (from its Info) and the size of training_curve.png;
// the log file the Log window; at the end a screenshot of the curve window is saved for a person
// to look at.
args = split(getArgument(), ",");
models = args[0];
result = args[1];
logFile = args[2];
screenshot = args[3];
curve = "SegTrain [curve] training curve";
png = models + "/curve/training_curve.png";
run("Create Demo Data", "slices=2 height=64 width=64 seed=4");
call("PressEsc.whenLogHas", "SegTrain [curve] iteration 10/60");
// No validation_every: the default gives 10 validations (every 6) in 60 iterations.
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Semantic2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.02 iteration_step=1 iteration_save=60"
    + " iteration_total=60 samples_per_batch=2 validation_fraction=0.25 window_size=1,32,32 model_name=curve"
    + " models_folder=[" + models + "] seed=4");
text = state("STOPPED", curve, png);
run("Resume Training...", "image=segtrain-demo-image labels=segtrain-demo-labels model=curve"
    + " models_folder=[" + models + "] iteration_total=0");
text = text + state("RESUMED", curve, png);
File.saveString(text, result);
File.saveString(getInfo("log"), logFile);
// A screenshot of the window as shown on the (virtual) screen.
selectWindow(curve);
getLocationAndSize(x, y, width, height);
run("Capture Screen");
makeRectangle(x, y, width, height);
run("Crop");
saveAs("PNG", screenshot);
close("*");
run("Quit");

// "<label> TITLE <title>" per open image, "<label> POINTS" and "<label> VALIDATIONS" lines with
// the curve window's iterations, and "<label> PNG <bytes>".
function state(label, curve, png) {
    out = "";
    titles = getList("image.titles");
    for (i = 0; i < titles.length; i++) out = out + label + " TITLE " + titles[i] + "\n";
    if (!isOpen(curve)) return out + label + " NO CURVE WINDOW\n";
    selectWindow(curve);
    lines = split(getMetadata("Info"), "\n");
    points = label + " POINTS";
    validations = label + " VALIDATIONS";
    section = "";
    for (i = 0; i < lines.length; i++) {
        if (startsWith(lines[i], "training:")) section = "t";
        else if (startsWith(lines[i], "validation:")) section = "v";
        else {
            columns = split(lines[i], "\t");
            if (section == "t") points = points + " " + columns[0];
            if (section == "v") validations = validations + " " + columns[0];
        }
    }
    size = -1;
    if (File.exists(png)) size = File.length(png);
    return out + points + "\n" + validations + "\n" + label + " PNG " + size + "\n";
}
