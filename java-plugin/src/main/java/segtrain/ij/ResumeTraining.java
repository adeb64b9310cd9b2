package segtrain.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import segtrain.api.Trainer;
import segtrain.bridge.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plugins>SegTrain>Resume Training...: continues a stopped, cancelled or crashed model (or one
 * that should train longer) from its newest checkpoint, on the same image and labels, with the
 * settings in its model.json. With a fixed seed on the CPU the loss curve goes on exactly as an
 * uninterrupted run's would.
 *
 * <p>Macro keys: image, labels, model, models_folder, iteration_total (0 = the stored total),
 * gpus and cpus (empty = as in the previous run: they belong to the run, so a model trained on a
 * GPU server can be resumed on a laptop).
 */
public class ResumeTraining implements PlugIn {

    @Override
    public void run(String arg) {
        Errors.command(ResumeTraining::ask);
    }

    private static void ask() throws InterruptedException {
        OpenImages images = OpenImages.list("Resume Training needs the image and labels the model was trained on, open");
        String options = Macro.getOptions();
        int[] pair = images.imageAndLabels(options);
        int image = pair[0];
        int labels = pair[1];
        ModelFolder.Pick pick = ModelFolder.pick(options);
        String folder = pick.folder;
        String model = pick.model;
        List<String> models = pick.names;

        GenericDialog gd = new GenericDialog("SegTrain: Resume Training");
        gd.addChoice("image", images.titles, images.titles[image]);
        gd.addChoice("labels", images.titles, images.titles[labels]);
        gd.addChoice("model", models.toArray(new String[0]), model);
        gd.addStringField("models_folder", folder, 30);
        gd.addNumericField("iteration_total", 0, 0, 8, "(0 = as stored)");
        gd.addStringField("gpus", "", 4);
        gd.addToSameRow();
        gd.addStringField("cpus", "", 4);
        gd.addMessage("gpus, cpus: empty = as in the previous run");
        gd.addHelp(HELP);
        gd.showDialog();
        if (gd.wasCanceled()) return;

        ImagePlus imageImp = images.get(gd.getNextChoiceIndex());
        ImagePlus labelsImp = images.get(gd.getNextChoiceIndex());
        String name = gd.getNextChoice();
        folder = gd.getNextString().trim();
        double total = gd.getNextNumber();
        if (gd.invalidNumber() || total < 0 || total != Math.rint(total)) {
            throw new IllegalArgumentException("iteration_total: a whole number of iterations is required (0 = as stored)");
        }
        String gpus = gd.getNextString().trim();
        String cpus = gd.getNextString().trim();
        ModelFolder.check(name, folder);

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("name", name);
        settings.put("models_dir", ModelFolder.dir(folder));
        if (total > 0) settings.put("iteration_total", (long) total);
        putNumber(settings, "gpus", gpus);
        putNumber(settings, "cpus", cpus);
        IJ.log("SegTrain: resuming '" + name + "' on " + imageImp.getTitle() + " / " + labelsImp.getTitle());
        try (Trainer job = Trainer.resume(Json.write(settings), imageImp, labelsImp)) {
            TrainModel.follow(name, job);
        }
    }

    /** A run setting typed as text: empty keeps the previous run's; the native side checks the range. */
    private static void putNumber(Map<String, Object> settings, String key, String text) {
        if (text.isEmpty()) return;
        try {
            settings.put(key, Double.parseDouble(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a number (empty = as in the previous run)");
        }
    }

    private static final String HELP = "<html><h3>SegTrain: Resume Training</h3>"
            + "<p>Continues a model from its newest checkpoint (written every <i>iteration save</i> "
            + "iterations): after Esc, a crash, or to train longer. The model keeps its own settings "
            + "(model.json); the weights, optimiser, learning-rate schedule, validation best and log go on "
            + "from the checkpoint.</p><ul>"
            + "<li><b>image, labels</b>: the stacks the model was trained on (the same size).</li>"
            + "<li><b>model, models folder</b>: the stored model to continue.</li>"
            + "<li><b>iteration total</b>: 0 keeps the stored total; a higher one (a multiple of the model's "
            + "iteration save) trains longer. The schedule stretches to the new total.</li>"
            + "<li><b>gpus, cpus</b>: the devices of this run (empty: as before). A model may move "
            + "between machines; its training goes on the same.</li>"
            + "</ul><p>The model's training curve window (reused when open) starts with its past points up to "
            + "the checkpoint. Press Esc to stop again.</p></html>";
}
