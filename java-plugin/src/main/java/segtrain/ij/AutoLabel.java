package segtrain.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.plugin.PlugIn;
import segtrain.api.Predictor;
import segtrain.bridge.Events;
import segtrain.bridge.Json;

import java.awt.AWTEvent;
import java.awt.Choice;
import java.awt.TextField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plugins>SegTrain>Auto Label...: labels an open image with a stored model, following the native
 * job in the status and progress bars (Esc stops it), then shows the label image (and the
 * probability maps on request).
 *
 * <p>Macro keys (each label is one word with underscores): image, model, models_folder, weights,
 * overlap, tta, threshold, foreground_threshold, seed_foreground, seed_contour, seed_distance,
 * min_seed_size, min_size, link_sections, probabilities, gpus, cpus, batch, rois (none, roi_manager,
 * overlay; Java only, not sent to the native side). The post-processing fields start at
 * the chosen model's stored values (model.json "postprocess"), so a macro that leaves them out
 * gets the model's own. The voxel size comes from the image's calibration when it is in nm or
 * µm; otherwise the model's is assumed (no resampling).
 */
public class AutoLabel implements PlugIn {
    static final String[] WEIGHTS = {"final", "best"};
    /** The instance watershed's parameters, as named in model.json; those ending in "size" are voxel counts. */
    static final String[] WATERSHED = {"foreground_threshold", "seed_foreground", "seed_contour", "seed_distance",
            "min_seed_size", "min_size", "link_sections"};
    /** Index of the threshold field among the dialog's numeric fields (overlap comes first). */
    private static final int FIRST_POST_FIELD = 1;

    /** What the user chose. */
    static final class Request {
        ImagePlus image;
        String model;
        boolean probabilities;
        /** Where the 2D objects go: LabelRois.NONE, ROI_MANAGER or OVERLAY. */
        String rois = LabelRois.NONE;
        Map<String, Object> settings;
    }

    @Override
    public void run(String arg) {
        Errors.command(() -> {
            Request request = ask();
            if (request != null) label(request);
        });
    }

    private static Request ask() {
        OpenImages images = OpenImages.list("Auto Label needs an open image to label "
                + "(try Plugins>SegTrain>Create Demo Data)");
        int image = images.current();
        String options = Macro.getOptions();
        if (options != null) image = images.fromMacro(options, "image", image);
        ModelFolder.Pick pick = ModelFolder.pick(options);
        String folder = pick.folder;
        String model = pick.model;
        List<String> models = pick.names;
        Map<String, Object> post = ModelFolder.postProcess(folder, model);

        GenericDialog gd = new GenericDialog("SegTrain: Auto Label");
        gd.addChoice("image", images.titles, images.titles[image]);
        gd.addChoice("model", models.toArray(new String[0]), model);
        gd.addStringField("models_folder", folder, 30);
        gd.addChoice("weights", WEIGHTS, WEIGHTS[0]);
        gd.addNumericField("overlap", 0.5, 2, 6, "of a window");
        gd.addCheckbox("tta", false);
        gd.addNumericField("threshold", Events.num(post, "threshold", 0.5), 2, 6, "binary semantic models");
        Map<String, Object> watershed = watershedOf(post);
        for (int i = 0; i < WATERSHED.length; i++) {
            boolean size = isSize(i);
            gd.addNumericField(WATERSHED[i], Events.num(watershed, WATERSHED[i], 0), size ? 0 : 2, 6,
                    size ? "voxels (instance models)" : "instance models");
        }
        gd.addCheckbox("probabilities", false);
        gd.addNumericField("gpus", 0, 0, 6, "");
        gd.addNumericField("cpus", 2, 0, 6, "");
        gd.addNumericField("batch", 4, 0, 6, "windows");
        gd.addChoice(LabelRois.KEY, LabelRois.CHOICES, LabelRois.NONE);
        gd.addHelp(HELP);
        if (options == null) gd.addDialogListener(AutoLabel::refresh);
        gd.showDialog();
        if (gd.wasCanceled()) return null;

        Request request = new Request();
        request.image = images.get(gd.getNextChoiceIndex());
        request.model = gd.getNextChoice();
        folder = gd.getNextString().trim();
        String weights = gd.getNextChoice();
        double overlap = number(gd, "overlap");
        boolean tta = gd.getNextBoolean();
        double threshold = number(gd, "threshold");
        Map<String, Object> instance = new LinkedHashMap<>();
        for (int i = 0; i < WATERSHED.length; i++) {
            double value = number(gd, WATERSHED[i]);
            instance.put(WATERSHED[i], isSize(i) ? (Object) voxelCount(WATERSHED[i], value) : TrainDialog.json(value));
        }
        request.probabilities = gd.getNextBoolean();
        double gpus = number(gd, "gpus");
        double cpus = number(gd, "cpus");
        double batch = number(gd, "batch");
        request.rois = LabelRois.check(gd.getNextChoice());
        ModelFolder.check(request.model, folder);

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", request.model);
        if (!folder.isEmpty()) s.put("models_dir", folder); // empty: the native default folder
        s.put("overlap", TrainDialog.json(overlap));
        s.put("tta", tta);
        s.put("probabilities", request.probabilities);
        s.put("weights", weights);
        s.put("threshold", TrainDialog.json(threshold));
        s.put("instance", instance);
        s.put("gpus", TrainDialog.json(gpus));
        s.put("cpus", TrainDialog.json(cpus));
        s.put("batch", TrainDialog.json(batch));
        double[] voxel = TrainDialog.Defaults.voxelFromCalibration(request.image);
        // Uncalibrated: leave voxel_nm out, so the native side assumes the model's voxel size.
        if (voxel != null) s.put("voxel_nm", new Object[] {TrainDialog.json(voxel[0]), TrainDialog.json(voxel[1]), TrainDialog.json(voxel[2])});
        request.settings = s;
        return request;
    }

    private static void label(Request request) throws InterruptedException {
        String name = request.model;
        ImagePlus image = request.image;
        long start = System.nanoTime();
        IJ.showStatus("SegTrain: labelling " + image.getTitle() + " with '" + name + "'...");
        try (Predictor job = Predictor.start(Json.write(request.settings), image)) {
            Map<String, Object> result = JobWatch.run(job, name, "stopping (Esc)...", event -> show(name, event));
            if (result == null) {
                IJ.log("SegTrain [" + name + "] auto label of " + image.getTitle() + " cancelled");
                return;
            }
            ImagePlus labels = job.labels();
            LabelDisplay.show(labels, result);
            ImagePlus[] maps = request.probabilities ? job.probabilities() : null;
            if (maps != null) for (ImagePlus map : maps) map.show();
            labels.show(); // last, so that it is the current image for the macro's next line
            double seconds = (System.nanoTime() - start) / 1e9;
            long max = Events.integer(result, "max_label", 0);
            boolean instance = Events.str(result, "kind", "").equals("instance");
            long[] classes = instance ? null : LabelDisplay.classValues(result.get("classes"));
            String found = instance
                    ? max + (max == 1 ? " object" : " objects")
                    : classes != null ? "classes " + joined(classes)
                    : max + (max == 1 ? " foreground class" : " foreground classes");
            IJ.log(String.format(Locale.ROOT, "SegTrain: labelled %s with model '%s' in %.1f s: %s",
                    image.getTitle(), name, seconds, found));
            IJ.showStatus("SegTrain: labelled " + image.getTitle());
            if (!LabelRois.NONE.equals(request.rois)) {
                if (!instance && classes == null) {
                    throw new IllegalArgumentException("rois: this SegTrain library does not say the model's classes; update it");
                }
                // After the label image is shown: a refusal (too many ROIs) loses no work.
                List<Roi> rois = LabelRois.extract(labels, classes, LabelRois.MAX_ROIS);
                int added = LabelRois.add(request.rois, rois, image);
                IJ.log("SegTrain: " + added + (added == 1 ? " ROI" : " ROIs")
                        + (LabelRois.OVERLAY.equals(request.rois) ? " in the overlay of " + image.getTitle() : " added to the ROI Manager"));
            }
        }
    }

    private static String joined(long[] values) {
        StringBuilder b = new StringBuilder();
        for (long v : values) b.append(b.length() == 0 ? "" : ", ").append(v);
        return b.toString();
    }

    private static void show(String name, Map<String, Object> event) {
        switch (Events.kind(event)) {
            case "predicting":
                int done = (int) Events.integer(event, "windows_done", 0);
                int total = (int) Events.integer(event, "windows_total", 1);
                IJ.showProgress(done, Math.max(1, total));
                IJ.showStatus("SegTrain: labelling, window " + done + "/" + total);
                break;
            case "error": // arrives as an exception from finish(), which Errors.report shows once
            case "cancelled":
            case "started":
            case "finished":
                break;
            default: // "message", or a kind a newer library sends
                IJ.log(EventText.logLine(name, event));
        }
    }

    /**
     * Interactive only: typing another models folder refills the model choice, and choosing a
     * model puts its stored post-processing values into the fields. ImageJ's final call on OK (no
     * event) records every field for the macro Recorder.
     */
    private static boolean refresh(GenericDialog gd, AWTEvent e) {
        if (e == null) return Recording.recordAllFields(gd);
        TextField folderField = (TextField) gd.getStringFields().get(0);
        Choice choice = (Choice) gd.getChoices().get(1);
        if (e.getSource() == folderField) {
            List<String> names;
            try {
                names = ModelFolder.names(folderField.getText());
            } catch (RuntimeException unreadable) {
                names = new ArrayList<>();
            }
            if (names.isEmpty()) names.add(ModelFolder.NO_MODELS);
            String selected = choice.getSelectedItem();
            choice.removeAll();
            for (String n : names) choice.add(n);
            if (names.contains(selected)) choice.select(selected);
        }
        if (e.getSource() == folderField || e.getSource() == choice) {
            Map<String, Object> post = ModelFolder.postProcess(folderField.getText(), choice.getSelectedItem());
            if (post.isEmpty()) return true;
            @SuppressWarnings("unchecked")
            List<TextField> numbers = (List<TextField>) (List<?>) gd.getNumericFields();
            numbers.get(FIRST_POST_FIELD).setText(format(Events.num(post, "threshold", 0.5), 2));
            Map<String, Object> watershed = watershedOf(post);
            for (int i = 0; i < WATERSHED.length; i++) {
                numbers.get(FIRST_POST_FIELD + 1 + i).setText(format(Events.num(watershed, WATERSHED[i], 0), isSize(i) ? 0 : 2));
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> watershedOf(Map<String, Object> post) {
        Object instance = post.get("instance");
        return instance instanceof Map ? (Map<String, Object>) instance : new LinkedHashMap<>();
    }

    private static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Whether watershed parameter i is a size (a voxel count) rather than a probability. */
    private static boolean isSize(int i) {
        return WATERSHED[i].endsWith("size");
    }

    /** Sizes are whole voxel counts: a fraction or a negative number is a mistake, said as such. */
    private static long voxelCount(String key, double value) {
        if (value < 0 || value != Math.rint(value)) {
            throw new IllegalArgumentException(key + ": a whole number of voxels (0 or more) is required (got " + value + ")");
        }
        return (long) value;
    }

    private static double number(GenericDialog gd, String key) {
        double value = gd.getNextNumber();
        if (gd.invalidNumber() || Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(key + ": a number is required");
        }
        return value;
    }

    private static final String HELP = "<html><h3>SegTrain: Auto Label</h3>"
            + "<p>Labels an open image with a stored model and shows the label image "
            + "(<i>image title without its extension</i>-labels, e.g. cells-labels for cells.tif): for semantic "
            + "models the values of the training labels (e.g. 0 and 255 for a mask), one colour per class and "
            + "the background black; for instance models object ids (0 = background, black) in a glasbey "
            + "colour table, where neighbouring ids have clearly different colours. ImageJ shows any image "
            + "through 256 colours: with more than 255 objects (a 16-bit image) each colour stands for "
            + "about <i>largest id</i>/256 consecutive ids and the lowest ids (below <i>largest id</i>/512) look "
            + "black; the values stay exact, and the ROIs below tell every object apart.</p>"
            + "<ul>"
            + "<li><b>image</b>: the stack to label (8, 16 or 32-bit grayscale). Its calibration, when in nm "
            + "or &micro;m, gives the voxel size; the stack is resampled when it differs from the model's. "
            + "Uncalibrated stacks are taken to have the model's voxel size.</li>"
            + "<li><b>model, models folder</b>: a stored model (Train Model...) and the folder that holds it; "
            + "typing another folder refreshes the list.</li>"
            + "<li><b>weights</b>: final (the end of training) or best (the best validation score).</li>"
            + "<li><b>overlap</b>: how much neighbouring windows overlap, as a share of a window (0 to 0.9).</li>"
            + "<li><b>tta</b>: test-time augmentation: average flipped and transposed copies (8x slower in 2D, "
            + "16x in 3D).</li>"
            + "<li><b>threshold</b>: binary semantic models: foreground where the probability is at least this.</li>"
            + "<li><b>instance models</b> (seeded watershed): voxels with foreground probability at least "
            + "<b>foreground threshold</b> belong to objects; <b>seeds</b> (one per object) are where the "
            + "foreground is at least <b>seed foreground</b>, the contour at most <b>seed contour</b> and, "
            + "for models with a distance channel, the distance at least <b>seed distance</b>; seeds smaller "
            + "than <b>min seed size</b> voxels are dropped (raise it when objects are split), objects "
            + "smaller than <b>min size</b> voxels are removed. Raise seed contour or lower seed foreground "
            + "when objects are missed; lower seed contour when touching objects are merged. The fields "
            + "start at the model's stored values (tuned on the validation block at the end of training).</li>"
            + "<li><b>link sections</b>: 2D instance models on serial sections: an object takes the id of the "
            + "object it overlaps in the section before when their IoU is at least this, so one object cut by "
            + "several sections keeps one id; 0 = off (each section numbered on its own).</li>"
            + "<li><b>probabilities</b>: also show the probability map of every output channel (32-bit).</li>"
            + "<li><b>gpus, cpus</b>: 0 GPUs = on the CPU; CPU threads.</li>"
            + "<li><b>batch</b>: windows per forward pass; more needs more memory.</li>"
            + "<li><b>rois</b>: also outline the 2D objects, one ROI per object (per class for semantic models, "
            + "background left out) and slice, named e.g. <i>id 12 z 3</i> or <i>class 255 z 3</i>, placed on their "
            + "slice and drawn in their label colour: <b>roi_manager</b> adds them to the ROI Manager, "
            + "<b>overlay</b> makes them the overlay of the image that was labelled, so they outline the objects "
            + "on it (replacing the outlines of an earlier "
            + "Auto Label, keeping the rest of its overlay); <b>none</b> = no ROIs. More than 20,000 ROIs are "
            + "refused (the label image is still shown).</li>"
            + "</ul><p>Press Esc to stop.</p></html>";
}
