// e2e: Tune Post-processing searches a stored instance model's watershed values on a labelled
// stack and stores them in its model.json. Argument: the models folder.
models = getArgument();
run("Create Demo Data", "slices=2 height=96 width=96 seed=6");
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Instance2D"
    + " gpus=0 cpus=2 base_lr=0.001 iteration_step=1 iteration_save=20"
    + " iteration_total=20 samples_per_batch=2 validation_fraction=0 window_size=1,48,48 model_name=tuned"
    + " models_folder=[" + models + "] seed=6");
run("Tune Post-processing...", "image=segtrain-demo-image labels=segtrain-demo-labels model=tuned"
    + " models_folder=[" + models + "] weights=final");
print("E2E-TUNED");
