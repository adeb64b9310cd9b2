// e2e: demo data, then a short Semantic2D training. Argument: the models folder.
models = getArgument();
run("Create Demo Data", "slices=3 height=96 width=96 seed=2");
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Semantic2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.02 iteration_step=1 iteration_save=20"
    + " iteration_total=60 samples_per_batch=2 window_size=1,64,64 model_name=e2e"
    + " models_folder=[" + models + "] seed=3");
print("E2E-MACRO-DONE");
