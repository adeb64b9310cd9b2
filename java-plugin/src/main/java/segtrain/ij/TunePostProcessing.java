package segtrain.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import segtrain.api.Trainer;
import segtrain.bridge.Events;
import segtrain.bridge.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Plugins>SegTrain>Tune Post-processing...: searches a stored model's post-processing (the
 * threshold of a binary model; the watershed's thresholds and size limits of an instance model)
 * on a labelled stack the model did not train on, for the best score (foreground IoU; AP@0.5),
 * and stores the values in its model.json, where Auto Label starts from them. Training already
 * does this on its validation block; this is for labelled data that comes later.
 *
 * <p>Macro keys: image, labels, model, models_folder, weights.
 */
public class TunePostProcessing implements PlugIn {
    static final String[] WEIGHTS = {"final", "best"};

    @Override
    public void run(String arg) {
        Errors.command(TunePostProcessing::ask);
    }

    private static void ask() throws InterruptedException {
        OpenImages images = OpenImages.list("Tune Post-processing needs a labelled stack, image and labels, open");
        String options = Macro.getOptions();
        int[] pair = images.imageAndLabels(options);
        int image = pair[0];
        int labels = pair[1];
        ModelFolder.Pick pick = ModelFolder.pick(options);

        GenericDialog gd = new GenericDialog("SegTrain: Tune Post-processing");
        gd.addChoice("image", images.titles, images.titles[image]);
        gd.addChoice("labels", images.titles, images.titles[labels]);
        gd.addChoice("model", pick.names.toArray(new String[0]), pick.model);
        gd.addStringField("models_folder", pick.folder, 30);
        gd.addChoice("weights", WEIGHTS, WEIGHTS[0]);
        gd.addHelp(HELP);
        gd.showDialog();
        if (gd.wasCanceled()) return;

        ImagePlus imageImp = images.get(gd.getNextChoiceIndex());
        ImagePlus labelsImp = images.get(gd.getNextChoiceIndex());
        String name = gd.getNextChoice();
        String folder = gd.getNextString().trim();
        String weights = gd.getNextChoice();
        ModelFolder.check(name, folder);

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("name", name);
        settings.put("models_dir", ModelFolder.dir(folder));
        settings.put("weights", weights);
        double[] voxel = TrainDialog.Defaults.voxelFromCalibration(imageImp);
        if (voxel != null) settings.put("voxel_nm", new Object[] {voxel[0], voxel[1], voxel[2]});
        IJ.log("SegTrain [" + name + "] tuning the post-processing on " + imageImp.getTitle() + " / "
                + labelsImp.getTitle() + "...");
        IJ.showStatus("SegTrain: tuning '" + name + "'...");
        try (Trainer job = Trainer.tune(Json.write(settings), imageImp, labelsImp)) {
            Map<String, Object> report = JobWatch.run(job, name, "stopping (Esc)...", event -> {
                if (!Events.kind(event).equals("error")) IJ.log(EventText.logLine(name, event));
            });
            if (report == null) return; // cancelled: the model is unchanged
            IJ.showStatus("SegTrain: tuned '" + name + "'");
        }
    }

    private static final String HELP = "<html><h3>SegTrain: Tune Post-processing</h3>"
            + "<p>Finds the post-processing values that score best on a labelled stack the model has not "
            + "trained on, and stores them in the model (Auto Label starts from them; its fields still "
            + "override them). The network runs once; then a few hundred settings are tried.</p><ul>"
            + "<li><b>image, labels</b>: a stack and its labels (same size), e.g. a few labelled sections "
            + "from a new acquisition.</li>"
            + "<li><b>model, models folder</b>: the stored model to tune.</li>"
            + "<li><b>weights</b>: final or best (the weights Auto Label will use).</li>"
            + "</ul><p>Binary semantic models: the threshold, for the foreground IoU. Instance models: the "
            + "foreground threshold, the seed thresholds and the smallest seed and object sizes, for AP@0.5 "
            + "(ties: foreground IoU). Training does the same on its validation block when it ends. The Log "
            + "shows the score before and after and what changed.</p></html>";
}
