package segtrain.ij;

import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.measure.Calibration;
import segtrain.api.Configs;
import segtrain.bridge.Events;

import java.awt.AWTEvent;
import java.awt.TextField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Vector;

/**
 * The "Train Model..." dialog: which stacks, which config, and the training settings, turned into
 * the settings JSON object the native library validates. Java checks only what it must to write
 * JSON (numbers are numbers, the window is three integers); ranges and sizes are Rust's job.
 *
 * <p>Every label is one word with underscores (shown as spaces), so each macro key is the whole
 * name: image, labels, config, x_nm, ..., window_size, model_name, models_folder, fine_tune_from, seed, overwrite.
 */
final class TrainDialog {
    static final String DEFAULT_CONFIG = "Semantic2D";

    /** Numeric fields after the three voxel sizes, in dialog order; each is also a config and settings key. */
    static final String[] NUMERIC_KEYS = {
        "gpus", "cpus", "base_lr", "iteration_step", "iteration_save", "iteration_total", "time_budget_minutes",
        "samples_per_batch", "validation_fraction",
    };

    /** What the user chose. */
    static final class Request {
        ImagePlus image;
        ImagePlus labels;
        String name;
        Map<String, Object> settings;
    }

    private final int[] ids;
    private final String[] titles;
    private final String[] configs;
    private GenericDialog gd;

    private TrainDialog(int[] ids, List<String> configs) {
        this.ids = ids;
        this.titles = new String[ids.length];
        for (int i = 0; i < ids.length; i++) titles[i] = WindowManager.getImage(ids[i]).getTitle();
        this.configs = configs.toArray(new String[0]);
    }

    /**
     * Shows the dialog (in a macro: reads the options without showing it).
     *
     * @return the request, or null when the user cancelled
     * @throws IllegalArgumentException a field that cannot be written as JSON, naming it
     */
    static Request show() {
        int[] ids = WindowManager.getIDList();
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("Train Model needs two open images, an image and its labels "
                    + "(try Plugins>SegTrain>Create Demo Data)");
        }
        return new TrainDialog(ids, Configs.names()).ask();
    }

    private Request ask() {
        int image = defaultImage();
        int labels = defaultLabels(image);
        String config = indexOf(configs, DEFAULT_CONFIG) >= 0 ? DEFAULT_CONFIG : configs[0];
        // In a macro the defaults must come from the config and image the macro names, not ours:
        // read those two keys first (GenericDialog fills the rest from the options itself).
        String options = Macro.getOptions();
        if (options != null) {
            // A title that is not open is refused here: GenericDialog's own check opens a modal
            // dialog, which nobody can close under a virtual display (ImageJ then hangs).
            int[] named = OpenImages.list("Train Model needs two open images").imageAndLabels(options);
            image = named[0];
            labels = named[1];
            config = Macro.getValue(options, "config", config);
        }
        Defaults defaults = new Defaults(config, WindowManager.getImage(ids[image]));

        gd = new GenericDialog("SegTrain: Train Model");
        gd.addChoice("image", titles, titles[image]);
        gd.addChoice("labels", titles, titles[labels]);
        gd.addChoice("config", configs, config);
        gd.addNumericField("x_nm", defaults.numbers[0], digits(defaults.numbers[0]), 8, "nm");
        gd.addNumericField("y_nm", defaults.numbers[1], digits(defaults.numbers[1]), 8, "nm");
        gd.addNumericField("z_nm", defaults.numbers[2], digits(defaults.numbers[2]), 8, "nm");
        for (int i = 0; i < NUMERIC_KEYS.length; i++) {
            double value = defaults.numbers[3 + i];
            gd.addNumericField(NUMERIC_KEYS[i], value, digits(value), 8, "");
        }
        gd.addStringField("window_size", defaults.window, 12);
        gd.addStringField("scale", defaults.scale, 6);
        gd.addStringField("model_name", "my-model", 20);
        gd.addStringField("models_folder", Configs.defaultModelsDir(), 30);
        gd.addStringField("fine_tune_from", "", 20);
        gd.addNumericField("seed", defaults.seed, 0, 8, "");
        gd.addCheckbox("overwrite", false);
        gd.addHelp(HELP);
        if (options == null) gd.addDialogListener((dialog, e) -> refreshDefaults(e));
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        return read();
    }

    /**
     * Interactive only: choosing another config or image refills the defaults that depend on it.
     * ImageJ's final call on OK (no event) records every field for the macro Recorder.
     */
    private boolean refreshDefaults(AWTEvent e) {
        if (e == null) return Recording.recordAllFields(gd);
        Vector<?> choices = gd.getChoices();
        if (e.getSource() != choices.get(0) && e.getSource() != choices.get(2)) return true;
        ImagePlus image = WindowManager.getImage(ids[((java.awt.Choice) choices.get(0)).getSelectedIndex()]);
        Defaults defaults = new Defaults(((java.awt.Choice) choices.get(2)).getSelectedItem(), image);
        Vector<?> numbers = gd.getNumericFields();
        for (int i = 0; i < defaults.numbers.length; i++) {
            ((TextField) numbers.get(i)).setText(format(defaults.numbers[i]));
        }
        ((TextField) numbers.get(defaults.numbers.length)).setText(format(defaults.seed));
        ((TextField) gd.getStringFields().get(0)).setText(defaults.window);
        ((TextField) gd.getStringFields().get(1)).setText(defaults.scale);
        return true;
    }

    /** Reads the fields in the order they were added (GenericDialog's contract). */
    private Request read() {
        Request request = new Request();
        request.image = WindowManager.getImage(ids[gd.getNextChoiceIndex()]);
        request.labels = WindowManager.getImage(ids[gd.getNextChoiceIndex()]);
        String config = gd.getNextChoice();
        double[] voxel = {number("x_nm"), number("y_nm"), number("z_nm")};
        Map<String, Object> numbers = new LinkedHashMap<>();
        for (String key : NUMERIC_KEYS) numbers.put(key, json(number(key)));
        int[] window = window(gd.getNextString());
        String scale = gd.getNextString().trim(); // "auto" or a factor: Rust checks it
        request.name = gd.getNextString().trim();
        String modelsDir = gd.getNextString().trim();
        String fineTuneFrom = gd.getNextString().trim();
        double seed = number("seed");
        boolean overwrite = gd.getNextBoolean();

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("config", config);
        s.put("name", request.name);
        if (!modelsDir.isEmpty()) s.put("models_dir", modelsDir); // empty: the native default folder
        if (!fineTuneFrom.isEmpty()) s.put("fine_tune_from", fineTuneFrom);
        s.put("voxel_nm", new Object[] {json(voxel[0]), json(voxel[1]), json(voxel[2])});
        s.putAll(numbers);
        s.put("window", window);
        s.put("scale", scale);
        s.put("seed", json(seed));
        s.put("overwrite", overwrite);
        s.put("log_every", 10);
        request.settings = s;
        return request;
    }

    private double number(String key) {
        double value = gd.getNextNumber();
        if (gd.invalidNumber() || Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(key + ": a number is required");
        }
        return value;
    }

    /** "z,y,x" -> {z, y, x}. */
    static int[] window(String text) {
        String[] parts = text.trim().split("\\s*,\\s*");
        int[] window = new int[3];
        try {
            if (parts.length != 3) throw new NumberFormatException();
            for (int i = 0; i < 3; i++) window[i] = Integer.parseInt(parts[i].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("window_size must be three integers z,y,x (e.g. 1,128,128), not '"
                    + text + "'");
        }
        return window;
    }

    /** Whole numbers go to JSON as integers, so Rust's integer fields accept them. */
    static Object json(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) return (long) value;
        return value;
    }

    /** Fewest decimals (up to 9) that show the value exactly, so 0.00005 is not shown as 0.0001. */
    static int digits(double value) {
        for (int d = 0; d < 9; d++) {
            double scaled = value * Math.pow(10, d);
            if (Math.abs(scaled - Math.rint(scaled)) < 1e-9 * Math.max(1, Math.abs(scaled))) return d;
        }
        return 9;
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%." + digits(value) + "f", value);
    }

    /** The current image, unless it looks like a label image. */
    private int defaultImage() {
        ImagePlus current = WindowManager.getCurrentImage();
        int index = current == null ? 0 : Math.max(0, indexOf(titles, current.getTitle()));
        if (isLabelTitle(titles[index])) {
            for (int i = 0; i < titles.length; i++) if (!isLabelTitle(titles[i])) return i;
        }
        return index;
    }

    /** An image whose title says "label", else any other image than the chosen one. */
    private int defaultLabels(int image) {
        for (int i = 0; i < titles.length; i++) if (i != image && isLabelTitle(titles[i])) return i;
        for (int i = 0; i < titles.length; i++) if (i != image) return i;
        return image;
    }

    private static boolean isLabelTitle(String title) {
        return title.toLowerCase(Locale.ROOT).contains("label");
    }

    private static int indexOf(String[] items, String item) {
        for (int i = 0; i < items.length; i++) if (items[i].equals(item)) return i;
        return -1;
    }

    /** Dialog defaults for one config and image. */
    static final class Defaults {
        /** x_nm, y_nm, z_nm, then NUMERIC_KEYS. */
        final double[] numbers = new double[3 + NUMERIC_KEYS.length];
        final String window;
        /** "auto" or a factor. */
        final String scale;
        final double seed;

        Defaults(String config, ImagePlus image) {
            Map<String, Object> json = Configs.defaults(config);
            double[] voxel = voxelFromCalibration(image);
            if (voxel == null) voxel = Events.numbers(json, "voxel_nm");
            if (voxel == null || voxel.length != 3) voxel = new double[] {1, 1, 1};
            System.arraycopy(voxel, 0, numbers, 0, 3);
            for (int i = 0; i < NUMERIC_KEYS.length; i++) numbers[3 + i] = Events.num(json, NUMERIC_KEYS[i], 0);
            double[] w = Events.numbers(json, "window");
            List<String> parts = new ArrayList<>();
            if (w != null) for (double v : w) parts.add(String.valueOf((long) v));
            window = String.join(",", parts);
            Object configScale = json.get("scale");
            scale = configScale instanceof Number ? String.valueOf(((Number) configScale).longValue())
                    : String.valueOf(configScale == null ? "auto" : configScale);
            seed = Events.num(json, "seed", 0);
        }

        /** x, y, z in nm when the image is calibrated in nm or µm, else null. */
        static double[] voxelFromCalibration(ImagePlus image) {
            if (image == null) return null;
            Calibration cal = image.getCalibration();
            String unit = cal.getUnit() == null ? "" : cal.getUnit().trim().toLowerCase(Locale.ROOT);
            double factor;
            if (unit.equals("nm") || unit.equals("nanometer") || unit.equals("nanometers")) {
                factor = 1;
            } else if (unit.equals("\u00b5m") || unit.equals("\u03bcm") || unit.equals("um")
                    || unit.equals("micron") || unit.equals("microns") || unit.equals("micrometer")) {
                factor = 1000;
            } else {
                return null;
            }
            return new double[] {cal.pixelWidth * factor, cal.pixelHeight * factor, cal.pixelDepth * factor};
        }
    }

    private static final String HELP = "<html><h3>SegTrain: Train Model</h3>"
            + "<p>Trains a segmentation U-Net on an image stack and a label stack of the same size. "
            + "The model, its checkpoints and a training log are written to <i>models folder/model name</i>.</p>"
            + "<ul>"
            + "<li><b>image, labels</b>: the raw stack and its labels (0 = background; an 8- or 16-bit image, not RGB).</li>"
            + "<li><b>config</b>: the network and task, e.g. Semantic2D; its defaults fill the other fields.</li>"
            + "<li><b>x/y/z nm</b>: voxel size in nanometres (from the image calibration when it is in nm or &micro;m). "
            + "3D configs use it to decide where the network pools and convolves along z.</li>"
            + "<li><b>gpus, cpus</b>: how many GPUs (0 = train on the CPU) and CPU threads to use.</li>"
            + "<li><b>base lr</b>: the learning rate the optimiser starts with.</li>"
            + "<li><b>iteration step</b>: gradient accumulation. The optimiser updates the weights once every "
            + "N iterations, so the effective batch is samples per batch &times; N.</li>"
            + "<li><b>iteration save</b>: write a checkpoint every N iterations; it must divide iteration total.</li>"
            + "<li><b>iteration total</b>: how many iterations to train.</li>"
            + "<li><b>time budget minutes</b>: 0 = train iteration total iterations; more = train for about "
            + "that many minutes: a few iterations are timed first, and the total, checkpoint and validation "
            + "intervals are fitted to the budget (the Log and model.json say the total, so the run can be "
            + "repeated exactly).</li>"
            + "<li><b>samples per batch</b>: windows per iteration; more needs more memory.</li>"
            + "<li><b>validation fraction</b>: share of the stack held out as one block at an edge (slices, or "
            + "rows or columns of a short stack; one that holds every class) and scored every few hundred iterations, at least ten times in a shorter run (loss, IoU, Dice); the best "
            + "weights are kept as best.safetensors. 0 turns validation off.</li>"
            + "<li><b>window size</b>: the training window as z,y,x in pixels (of the stack at the training scale); "
            + "z must be 1 for 2D configs.</li>"
            + "<li><b>scale</b>: <i>auto</i> measures the labels (the median object's diameter, or the width of the "
            + "thinnest structure) and trains on the stacks shrunk by the whole factor that keeps objects at least "
            + "40 px across (thin structures 24 px wide): a window then holds several objects with their "
            + "surroundings, and each iteration costs less. Or a factor: 1 = as they are, 2 = half the width and "
            + "height. The Log says which scale was chosen and why; Auto Label resamples new stacks to it and "
            + "returns labels at their own size.</li>"
            + "<li><b>model name, models folder</b>: where the model goes; an empty folder means the default "
            + "(~/.segtrain/models or $SEGTRAIN_MODELS_DIR).</li>"
            + "<li><b>fine tune from</b>: the name of a stored model of the same config whose weights training "
            + "starts from (new data, same task); empty = random initial weights.</li>"
            + "<li><b>seed</b>: makes sampling and initial weights repeatable.</li>"
            + "<li><b>overwrite</b>: replace an existing model of the same name.</li>"
            + "</ul><p>Press Esc to stop training; the last checkpoint is kept.</p></html>";
}
