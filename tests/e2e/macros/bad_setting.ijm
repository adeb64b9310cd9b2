// e2e: a setting Rust refuses (iteration_save does not divide iteration_total) is reported by
// name and aborts the macro. Argument: the models folder.
models = getArgument();
run("Create Demo Data", "slices=1 height=64 width=64 seed=1");
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Semantic2D"
    + " iteration_save=7 iteration_total=100 window_size=1,64,64 model_name=bad"
    + " models_folder=[" + models + "]");
print("E2E-AFTER-TRAIN"); // must not run
