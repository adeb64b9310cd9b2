// e2e: labels of another size than the image must be refused with both sizes, and abort the macro.
// Argument: the models folder.
models = getArgument();
newImage("mismatch-image", "8-bit random", 96, 96, 3);
newImage("mismatch-labels", "8-bit black", 96, 80, 3);
run("Train Model...", "image=mismatch-image labels=mismatch-labels config=Semantic2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.02 iteration_step=1 iteration_save=10"
    + " iteration_total=20 samples_per_batch=2 window_size=1,64,64 model_name=mismatch"
    + " models_folder=[" + models + "] seed=3");
print("E2E-AFTER-TRAIN"); // must not run: the error aborts the macro
