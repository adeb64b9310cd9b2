// e2e: asking for a GPU on a CPU-only libtorch: a message that says so and how to get the CUDA one.
run("Create Demo Data", "slices=2 height=96 width=96 seed=3");
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Semantic2D"
    + " gpus=1 cpus=2 iteration_save=20 iteration_total=40 window_size=1,64,64 model_name=e2e-gpu"
    + " models_folder=[" + getArgument() + "]");
print("E2E-MACRO-DONE");
