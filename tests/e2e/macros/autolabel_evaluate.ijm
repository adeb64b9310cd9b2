// e2e: train a small Semantic2D model, auto-label the demo image with it, evaluate the result
// against the demo labels and print what the test checks. Argument: the models folder.
models = getArgument();
run("Create Demo Data", "slices=2 height=96 width=96 seed=3");
selectImage("segtrain-demo-image");
run("Properties...", "channels=1 slices=2 frames=1 unit=nm pixel_width=5 pixel_height=5 voxel_depth=40");
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Semantic2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.02 iteration_step=1 iteration_save=20"
    + " iteration_total=40 samples_per_batch=2 validation_fraction=0 window_size=1,64,64 model_name=e2e"
    + " models_folder=[" + models + "] seed=3");
run("Auto Label...", "image=segtrain-demo-image model=e2e models_folder=[" + models + "]"
    + " weights=final overlap=0.5 threshold=0.5 probabilities gpus=0 cpus=2 batch=4");
selectImage("segtrain-demo-image-labels");
getVoxelSize(vw, vh, vd, unit);
print("LABELS bitDepth=" + bitDepth() + " width=" + getWidth() + " height=" + getHeight() + " nSlices=" + nSlices
    + " voxel=" + vw + "/" + vh + "/" + vd + " unit=" + unit);
getMinAndMax(lo, hi);
print("LABELS display=" + lo + "-" + hi);
// The probability map of the only output channel.
titles = getList("image.titles");
for (i = 0; i < titles.length; i++) print("IMAGE " + titles[i]);
run("Evaluate...", "segmentation=segtrain-demo-image-labels truth=segtrain-demo-labels kind=semantic");
table = "SegTrain Evaluation";
rows = Table.size(table);
print("EVAL rows=" + rows);
for (r = 0; r < rows; r++) {
    c = Table.get("class", r, table);
    print("EVAL class=" + c + " iou=" + Table.get("iou", r, table) + " dice=" + Table.get("dice", r, table)
        + " mean_iou=" + Table.get("mean_iou", r, table) + " pixel_accuracy=" + Table.get("pixel_accuracy", r, table));
    if (c == 1) print("IOU_FG=" + d2s(Table.get("iou", r, table), 6));
}
print("E2E-MACRO-DONE");
