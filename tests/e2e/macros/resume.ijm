// e2e: Resume Training continues a stored model from its newest checkpoint to a higher total
// (on another number of CPUs),
// then refuses to resume a model that has nothing left to train (naming the field) and aborts
// the macro. Argument: the models folder.
models = getArgument();
run("Create Demo Data", "slices=2 height=64 width=64 seed=4");
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Semantic2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.02 iteration_step=1 iteration_save=5"
    + " iteration_total=10 samples_per_batch=2 validation_fraction=0 window_size=1,32,32 model_name=again"
    + " models_folder=[" + models + "] seed=4");
run("Resume Training...", "image=segtrain-demo-image labels=segtrain-demo-labels model=again"
    + " models_folder=[" + models + "] iteration_total=20 cpus=1");
print("E2E-RESUMED");
run("Resume Training...", "image=segtrain-demo-image labels=segtrain-demo-labels model=again"
    + " models_folder=[" + models + "] iteration_total=0");
print("E2E-AFTER-SECOND-RESUME"); // must not run
