// e2e: Train Model shows a live training curve (a plot window, so ImageJ runs with its windows
// here, not in batch mode). Arguments: "models folder,result file". The result file gets one
// line per open image title and the curve's first series (training loss): its point count and
// first and last iteration.
args = split(getArgument(), ",");
models = args[0];
result = args[1];
run("Create Demo Data", "slices=2 height=64 width=64 seed=4");
run("Train Model...", "image=segtrain-demo-image labels=segtrain-demo-labels config=Semantic2D"
    + " x_nm=5 y_nm=5 z_nm=40 gpus=0 cpus=2 base_lr=0.02 iteration_step=1 iteration_save=20"
    + " iteration_total=40 samples_per_batch=2 validation_fraction=0.25 window_size=1,32,32 model_name=curve"
    + " models_folder=[" + models + "] seed=4");
titles = getList("image.titles");
text = "";
for (i = 0; i < titles.length; i++) text = text + "TITLE " + titles[i] + "\n";
selectWindow("SegTrain [curve] training curve");
Plot.getValues(x, y);
text = text + "LOSS_POINTS " + x.length + " FIRST " + x[0] + " LAST " + x[x.length - 1] + "\n";
File.saveString(text, result);
close("*");
run("Quit");
