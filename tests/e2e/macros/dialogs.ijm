// The Train Model dialog as a person meets it (driven by the DialogScript helper, with windows):
// a refused setting reopens the dialog with the typed values and the reason on top; the values of
// a run are remembered for the next dialog; Restore defaults puts the config's defaults back;
// Auto Label disables the watershed fields for a semantic model. Pictures of the dialogs go to the
// artefacts folder. Argument: "<work folder>,<artefacts folder>".
args = split(getArgument(), ",");
work = args[0];
call("DialogScript.artefactsIn", args[1]);
open(work + "/image.tif");
open(work + "/labels.tif");
selectImage("image.tif");
call("DialogScript.queue", "config=Semantic2D;models_folder=" + work + "/models;window_size=1,8,8;model_name=pref;iteration_total=4;iteration_save=2;samples_per_batch=1;validation_fraction=0;seed=5;@train-dialog;OK");
call("DialogScript.queue", "@train-dialog-refused;?message;?window_size;?model_name;window_size=1,32,32;OK");
File.append("train dialog", work + "/progress.txt"); run("Train Model..."); File.append(call("DialogScript.results"), work + "/progress.txt");
call("DialogScript.queue", "?model_name;?iteration_total;?samples_per_batch;!Restore defaults;?window_size;?iteration_total;?model_name;Cancel");
File.append("train dialog", work + "/progress.txt"); run("Train Model..."); File.append(call("DialogScript.results"), work + "/progress.txt");
call("DialogScript.queue", "models_folder=" + work + "/models;model=pref;@auto-label-dialog;?below:model;?threshold;?seed_contour;?min_size;Cancel");
File.append("auto label dialog", work + "/progress.txt"); run("Auto Label...");
// The other commands' dialogs, pictured as they open (and cancelled).
call("DialogScript.queue", "models_folder=" + work + "/models;model=pref;@resume-dialog;?below:model;Cancel");
run("Resume Training...");
call("DialogScript.queue", "models_folder=" + work + "/models;model=pref;@tune-dialog;Cancel");
run("Tune Post-processing...");
call("DialogScript.queue", "?kind;?per_slice;@evaluate-dialog;Cancel");
run("Evaluate...");
call("DialogScript.queue", "?slices;?seed;@demo-data-dialog;Cancel");
run("Create Demo Data");
File.saveString(call("DialogScript.results"), work + "/dialogs.txt");
run("Quit");
