// e2e: Train Model with scale=auto on stacks whose objects are ~80 px across trains at half size
// (the Log says why), and Auto Label gives labels at the stack's own size.
// The demo data (objects ~10 px at this size) is enlarged 8x: labels by nearest neighbour, so
// they stay labels; ImageJ divides the calibration by 8, which the voxel fields then show.
// Argument: the models folder.
models = getArgument();
run("Create Demo Data", "slices=2 height=96 width=96 seed=3");
selectImage("segtrain-demo-image");
run("Size...", "width=768 height=768 depth=2 average interpolation=Bilinear");
rename("big-image");
selectImage("segtrain-demo-labels");
run("Size...", "width=768 height=768 depth=2 interpolation=None");
rename("big-labels");
run("Train Model...", "image=big-image labels=big-labels config=Instance2D"
    + " gpus=0 cpus=2 base_lr=0.001 iteration_step=1 iteration_save=10"
    + " iteration_total=10 samples_per_batch=2 validation_fraction=0.2 window_size=1,64,64 scale=auto"
    + " model_name=big models_folder=[" + models + "] seed=3");
run("Auto Label...", "image=big-image model=big models_folder=[" + models + "] weights=final overlap=0.5");
print("LABELS=" + getTitle() + " " + getWidth() + "x" + getHeight() + "x" + nSlices);
close("*");
print("E2E-MACRO-DONE");
