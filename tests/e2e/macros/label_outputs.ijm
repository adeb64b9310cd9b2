// e2e: what Auto Label shows. Arguments: "models folder,artefacts folder". Trains a small
// Instance2D model, labels the demo image (renamed with a .tif extension) with rois=roi_manager
// and then rois=overlay (twice), and a tiny Semantic2D model trained on 0/255 labels; prints what
// the test checks and saves pictures of the results into the artefacts folder for a person.
args = split(getArgument(), ",");
models = args[0];
art = args[1];

// 1 when the current image's LUT is gray (every entry r = g = b), else 0; LUT entry i as "r,g,b".
function lutIsGray() {
    getLut(r, g, b);
    for (i = 0; i < 256; i++) if (r[i] != g[i] || g[i] != b[i]) return 0;
    return 1;
}
function lutEntry(i) {
    getLut(r, g, b);
    return "" + r[i] + "," + g[i] + "," + b[i];
}
// The ROIs the labels imply: distinct non-zero values summed over the slices.
function objectsPerSlice() {
    n = 0;
    bins = 256;
    if (bitDepth() == 16) bins = 65536;
    for (s = 1; s <= nSlices; s++) {
        setSlice(s);
        getHistogram(values, counts, bins);
        for (i = 1; i < bins; i++) if (counts[i] > 0) n++;
    }
    setSlice(1);
    return n;
}
// Saves slice 1 of the current image, with its overlay drawn in and 4x enlarged, as a PNG
// (Flatten on a whole stack asks a question, which nobody answers here).
function picture(path) {
    setSlice(1);
    run("Duplicate...", "title=picture");
    if (Overlay.size > 0) {
        run("Flatten");
        selectImage("picture");
        close();
        selectImage("picture-1");
    }
    run("Size...", "width=" + 4 * getWidth() + " height=" + 4 * getHeight() + " depth=1 interpolation=None");
    saveAs("PNG", path);
    close();
}
// ROIs of the ROI Manager that do not match the current label image: the name must be
// "<prefix> V z S", the ROI on slice S and covering value V only.
function badRois(prefix) {
    bad = 0;
    for (i = 0; i < roiManager("count"); i++) {
        roiManager("select", i);
        words = split(Roi.getName, " ");
        if (words.length != 4 || words[0] != prefix || words[2] != "z") { bad++; print("BAD NAME " + Roi.getName); continue; }
        v = parseInt(words[1]);
        z = parseInt(words[3]);
        lo = getValue("Min");
        hi = getValue("Max");
        if (getSliceNumber() != z || lo != v || hi != v) { bad++; print("BAD ROI " + Roi.getName + " slice " + getSliceNumber() + " values " + lo + "-" + hi); }
    }
    run("Select None");
    return bad;
}

run("Create Demo Data", "slices=2 height=96 width=96 seed=5");
selectImage("segtrain-demo-image");
rename("segtrain-demo-image.tif");
run("Train Model...", "image=segtrain-demo-image.tif labels=segtrain-demo-labels config=Instance2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.01 iteration_step=1 iteration_save=40"
    + " iteration_total=40 samples_per_batch=2 validation_fraction=0 window_size=1,48,48 model_name=inst"
    + " models_folder=[" + models + "] seed=5");
common = "image=segtrain-demo-image.tif model=inst models_folder=[" + models + "] weights=final overlap=0.5"
    + " foreground_threshold=0.3 seed_foreground=0.3 seed_contour=0.7 min_seed_size=4 min_size=4";

// Instance model, ROI Manager.
roiManager("reset");
run("Auto Label...", common + " rois=roi_manager");
print("INSTANCE title=" + getTitle() + " bitDepth=" + bitDepth() + " gray=" + lutIsGray()
    + " lut0=" + lutEntry(0) + " lut1=" + lutEntry(1) + " lut2=" + lutEntry(2));
getMinAndMax(lo, hi);
print("INSTANCE display=" + lo + "-" + hi);
print("INSTANCE rois=" + roiManager("count") + " expected=" + objectsPerSlice() + " bad=" + badRois("id"));
picture(art + "/label_outputs-instance-labels.png");
close();

// Instance model, overlay on the labelled image; a second run replaces the first's outlines.
run("Auto Label...", common + " rois=overlay");
expected = objectsPerSlice();
close();
selectImage("segtrain-demo-image.tif");
first = Overlay.size;
run("Auto Label...", common + " rois=overlay");
close();
selectImage("segtrain-demo-image.tif");
print("OVERLAY size=" + first + " again=" + Overlay.size + " expected=" + expected);
picture(art + "/label_outputs-instance-overlay.png");

// Semantic model trained on 0/255 labels; threshold 0 makes every pixel foreground.
selectImage("segtrain-demo-labels");
run("Duplicate...", "title=mask duplicate");
run("Multiply...", "value=255 stack");
run("Train Model...", "image=segtrain-demo-image.tif labels=mask config=Semantic2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.01 iteration_step=1 iteration_save=5"
    + " iteration_total=5 samples_per_batch=2 validation_fraction=0 window_size=1,48,48 model_name=sem"
    + " models_folder=[" + models + "] seed=5");
roiManager("reset");
run("Auto Label...", "image=segtrain-demo-image.tif model=sem models_folder=[" + models + "] weights=final"
    + " threshold=0 rois=roi_manager");
Stack.getStatistics(count, mean, min, max);
print("SEMANTIC title=" + getTitle() + " min=" + min + " max=" + max + " gray=" + lutIsGray()
    + " lut0=" + lutEntry(0) + " lut255=" + lutEntry(255));
print("SEMANTIC rois=" + roiManager("count") + " expected=" + objectsPerSlice() + " bad=" + badRois("class"));
print("E2E-MACRO-DONE");
