// e2e: the watershed fields of Auto Label reach the native post-processing. Trains a tiny
// Instance2D model (its quality does not matter here), labels with thresholds that make every
// pixel a seed (so objects must appear), then with a smallest object size larger than the image
// (so none may remain), then with a fractional size, which must be refused by name.
// Argument: the models folder.
models = getArgument();
run("Create Demo Data", "slices=2 height=64 width=64 seed=5");
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Instance2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.001 iteration_step=1 iteration_save=10"
    + " iteration_total=10 samples_per_batch=2 validation_fraction=0 window_size=1,32,32 model_name=inst"
    + " models_folder=[" + models + "] seed=5");
common = "image=segtrain-demo-image model=inst models_folder=[" + models + "] weights=final overlap=0.5"
    + " foreground_threshold=0 seed_foreground=0 seed_contour=1 min_seed_size=1";
run("Auto Label...", common + " min_size=1");
Stack.getStatistics(count, mean, min, max);
print("OBJECTS_ALL_SEEDS=" + max);
close();
run("Auto Label...", common + " min_size=1000000");
Stack.getStatistics(count, mean, min, max);
print("OBJECTS_HUGE_MIN_SIZE=" + max);
close();
print("E2E-BEFORE-BAD-SIZE");
run("Auto Label...", common + " min_size=2.5");
print("E2E-AFTER-BAD-SIZE"); // must not run
