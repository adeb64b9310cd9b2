// e2e: Auto Label with a model name that is not in the models folder must say so and abort the
// macro. Argument: the models folder (holding no such model).
models = getArgument();
run("Create Demo Data", "slices=1 height=64 width=64 seed=1");
run("Auto Label...", "image=segtrain-demo-image model=no-such-model models_folder=[" + models + "]");
print("E2E-AFTER-AUTOLABEL"); // must not run
