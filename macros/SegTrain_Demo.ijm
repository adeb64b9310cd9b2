// SegTrain demo: generates demo EM-like data and trains a Semantic2D U-Net on it.
//
// Optional argument: "iterations=N models=DIR name=NAME"
//   iterations  training iterations (default 300)
//   models      models folder (default: empty = SegTrain's default, ~/.segtrain/models
//               or $SEGTRAIN_MODELS_DIR)
//   name        model name (default demo-semantic2d); an existing model of that name is replaced
//
// From a shell, without a screen:
//   xvfb-run -a java -Dplugins.dir=java-plugin/build/plugins -jar /usr/share/java/ij.jar \
//       -batch macros/SegTrain_Demo.ijm "iterations=50 models=/tmp/models"
// In ImageJ: Plugins>Macros>Run... and pick this file (it then uses the defaults).

arg = getArgument();
iterations = parseInt(option(arg, "iterations", "300"));
models = option(arg, "models", "");
name = option(arg, "name", "demo-semantic2d");
if (isNaN(iterations) || iterations < 1)
    fail("iterations must be a positive whole number, not '" + option(arg, "iterations", "") + "'");

// Three checkpoints when the count allows it: iteration_save must divide iteration_total.
checkpointEvery = iterations;
if (iterations % 3 == 0) checkpointEvery = iterations / 3;

setBatchMode(true);
run("Create Demo Data", "slices=6 height=256 width=256 seed=1");

// Keys not given (gpus, cpus, voxel size, seed...) keep the Semantic2D config's defaults;
// see Train_Example.ijm for every key.
options = "image=segtrain-demo-image labels=segtrain-demo-labels config=Semantic2D"
    + " base_lr=0.02 iteration_step=1 iteration_save=" + checkpointEvery + " iteration_total=" + iterations
    + " samples_per_batch=4 window_size=1,128,128 model_name=" + name + " overwrite";
if (models != "")
    options = options + " models_folder=[" + models + "]";
else
    models = call("segtrain.api.Configs.defaultModelsDir");

startTime = getTime();
run("Train Model...", options);
folder = models + File.separator + name;
if (!File.exists(folder + File.separator + "model.json"))
    fail("no model.json in " + folder);
print("SegTrain demo: trained " + iterations + " iterations in " + d2s((getTime() - startTime) / 1000, 1) + " s");
print("SegTrain demo: model folder " + folder);

// The value of "key=value" in a space-separated option string, or the default.
function option(text, key, fallback) {
    words = split(text, " ");
    for (i = 0; i < words.length; i++) {
        if (startsWith(words[i], key + "="))
            return substring(words[i], lengthOf(key) + 1);
    }
    return fallback;
}

// Prints and stops: exit("message") would open a dialog, which waits forever in -batch mode.
function fail(message) {
    print("SegTrain demo error: " + message);
    exit;
}
