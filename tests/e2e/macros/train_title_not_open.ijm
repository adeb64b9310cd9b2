// e2e: Train Model naming a labels image that is not open: refused by name, no dialog, no hang.
newImage("open-image", "8-bit random", 64, 64, 2);
run("Train Model...", "image=open-image labels=no-such-labels config=Semantic2D iteration_total=20"
    + " iteration_save=10 window_size=1,32,32 model_name=never models_folder=[" + getArgument() + "]");
print("E2E-AFTER-TRAIN"); // must not run: the error aborts the macro
