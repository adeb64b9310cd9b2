package segtrain.ij;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageWindow;
import ij.gui.Plot;
import ij.macro.Interpreter;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import segtrain.bridge.Events;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's training curve, in one window per model ({@code SegTrain [<name>] training curve}):
 * two panels over the same iteration axis, the loss above (training loss, the mean over each log
 * interval, as a line; validation loss as circles) and the validation IoU below on its own 0..1
 * axis (circles). A resumed run's {@code history} event fills it with the model's past first; a
 * training or resume of a model whose curve window is open draws into that window. Redrawn at
 * most once a second. Not shown headless or in batch mode (nobody could see it), but always
 * saved as training_curve.png in the model folder at the end ({@link #save}). The window's Info
 * (Image>Show Info) lists the points; training_log.csv has every iteration.
 */
final class LossCurve {
    private static final long REDRAW_MS = 1000;
    /** Marks an image as a model's curve window; the value is the model's name. */
    static final String PROPERTY = "SegTrain.training_curve";
    static final String PNG = "training_curve.png";
    static final Color TRAINING = new Color(0, 90, 200);
    static final Color VALIDATION_LOSS = new Color(210, 40, 20);
    static final Color VALIDATION_IOU = new Color(0, 140, 0);
    private static final int WIDTH = 560;
    private static final int LOSS_HEIGHT = 200;
    private static final int IOU_HEIGHT = 110;
    private static final float MARKER_WIDTH = 1.5f;
    /** Room above the highest loss for the legend, as a share of that loss. */
    private static final double LEGEND_ROOM = 0.3;
    /** Highest over lowest loss beyond which the loss axis is logarithmic. */
    static final double LOG_SPAN = 20;

    private final String name;
    private final String title;
    private final List<Double> iterations = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private final List<Double> validationIterations = new ArrayList<>();
    private final List<Double> validationLosses = new ArrayList<>();
    private final List<Double> validationIous = new ArrayList<>();
    /** The run's iteration total (0 until known): the x axis spans it, so the curve grows into it. */
    private long total;
    /** "validation IoU", or "validation contour IoU" when the native library scores the contours (dense labels). */
    private String iouName = "validation IoU";
    /** The validation interval of this run; 0 = no validation block, -1 = not said. */
    private long validationEvery = -1;
    private String modelDir;
    private ImagePlus image;
    private long drawnAt;

    LossCurve(String modelName) {
        this.name = modelName;
        this.title = title(modelName);
    }

    static String title(String modelName) {
        return "SegTrain [" + modelName + "] training curve";
    }

    /**
     * Takes an event: {@code history} replaces the points with the model's past, {@code iteration}
     * and {@code validation} add one, {@code started} and {@code finished} say the total, the
     * validation interval and the model folder. True when the points changed.
     */
    boolean add(Map<String, Object> event) {
        switch (Events.kind(event)) {
            case "started":
                total = Events.integer(event, "iterations", total);
                Object every = event.get("validation_every");
                if (event.containsKey("validation_every")) validationEvery = every instanceof Number ? ((Number) every).longValue() : 0;
                modelDir = Events.str(event, "model_dir", modelDir);
                return false;
            case "finished":
                modelDir = Events.str(event, "model_dir", modelDir);
                return false;
            case "history":
                replace(event, new String[] {"iteration", "loss"}, iterations, losses);
                replace(event, new String[] {"validation_iteration", "validation_loss", "validation_iou"},
                        validationIterations, validationLosses, validationIous);
                return true;
            case "iteration":
                iterations.add((double) Events.integer(event, "iteration", 0));
                losses.add(Events.num(event, "loss", Double.NaN));
                total = Events.integer(event, "total", total);
                return true;
            case "validation":
                validationIterations.add((double) Events.integer(event, "iteration", 0));
                validationLosses.add(Events.num(event, "loss", Double.NaN));
                validationIous.add(Events.num(event, "iou", Double.NaN));
                if (Boolean.TRUE.equals(event.get("contour"))) iouName = "validation contour IoU";
                return true;
            default:
                return false;
        }
    }

    /** The model folder the events named (null before {@code started}). */
    String modelDir() {
        return modelDir;
    }

    boolean isEmpty() {
        return iterations.isEmpty() && validationIterations.isEmpty();
    }

    /** The upper panel: series "training loss", then (once scored) "validation loss"; the legend names them. */
    Plot lossPlot() {
        Plot plot = new Plot(title, "", "loss");
        plot.setFrameSize(WIDTH, LOSS_HEIGHT);
        if (!iterations.isEmpty()) {
            plot.setColor(TRAINING);
            plot.setLineWidth(2);
            // A line needs two points; a lone first one is a dot that can be seen.
            plot.addPoints(array(iterations), array(losses), iterations.size() == 1 ? Plot.CIRCLE : Plot.LINE);
            plot.setLabel(-1, "training loss");
            plot.setLineWidth(1);
        }
        if (!validationIterations.isEmpty()) {
            plot.setColor(VALIDATION_LOSS, VALIDATION_LOSS);
            plot.setLineWidth(MARKER_WIDTH); // bigger circles: every validation stands out
            plot.addPoints(array(validationIterations), array(validationLosses), Plot.CONNECTED_CIRCLES);
            plot.setLabel(-1, "validation loss");
            plot.setLineWidth(1);
        }
        plot.setColor(Color.BLACK);
        plot.addLegend(null, "top-right");
        double[] range = range(losses, validationLosses);
        double low = range[0];
        double top = range[1];
        if (logScale(low, top)) {
            // Losses spanning more than LOG_SPAN (an early validation loss of 80 beside a
            // training loss of 0.3): a log axis keeps both readable. Room above for the legend.
            double decades = Math.log10(top / low);
            plot.setXYLabels("", "loss (log scale)");
            plot.setAxisYLog(true);
            plot.setLimits(0, xMax(), low / Math.pow(10, 0.05 * decades), top * Math.pow(10, LEGEND_ROOM * decades));
            return plot;
        }
        double bottom = Math.min(0, low);
        if (!(top > bottom)) top = bottom + 1;
        // The legend sits in the room left above the highest loss, never on a point.
        plot.setLimits(0, xMax(), bottom, top + LEGEND_ROOM * (top - bottom));
        return plot;
    }

    /** A log loss axis when every loss is above 0 and the highest is more than LOG_SPAN times the lowest. */
    static boolean logScale(double low, double top) {
        return low > 0 && top / low > LOG_SPAN;
    }

    /** The lower panel: series "validation IoU" on a fixed 0..1 axis, or a note why there is none yet. */
    Plot iouPlot() {
        Plot plot = new Plot(title + " (IoU)", "iteration", iouName);
        plot.setFrameSize(WIDTH, IOU_HEIGHT);
        if (!validationIterations.isEmpty()) {
            plot.setColor(VALIDATION_IOU, VALIDATION_IOU);
            plot.setLineWidth(MARKER_WIDTH);
            plot.addPoints(array(validationIterations), array(validationIous), Plot.CONNECTED_CIRCLES);
            plot.setLabel(-1, iouName);
            plot.setLineWidth(1);
        } else {
            plot.setColor(Color.DARK_GRAY);
            plot.addLabel(0.02, 0.5, validationEvery == 0
                    ? "no validation block (validation fraction 0)"
                    : validationEvery > 0 ? "validation every " + validationEvery + " iterations: none scored yet"
                    : "no validation scored yet");
        }
        plot.setLimits(0, xMax(), -0.05, 1.05);
        return plot;
    }

    /** Both panels, one above the other, aligned on the iteration axis: the window's image and the PNG. */
    ImageProcessor render() {
        ImageProcessor top = lossPlot().getProcessor();
        ImageProcessor bottom = iouPlot().getProcessor();
        ColorProcessor both = new ColorProcessor(Math.max(top.getWidth(), bottom.getWidth()), top.getHeight() + bottom.getHeight());
        both.setColor(Color.WHITE);
        both.fill();
        both.insert(top.convertToRGB(), 0, 0);
        both.insert(bottom.convertToRGB(), 0, top.getHeight());
        return both;
    }

    /** The points as text (the window's Info): one line per training point, then per validation. */
    String table() {
        StringBuilder text = new StringBuilder(title).append('\n');
        text.append("training: iteration\tloss\n");
        for (int i = 0; i < iterations.size(); i++) {
            text.append(String.format(Locale.ROOT, "%d\t%.6f%n", Math.round(iterations.get(i)), losses.get(i)));
        }
        text.append("validation: iteration\tloss\tIoU\n");
        for (int i = 0; i < validationIterations.size(); i++) {
            text.append(String.format(Locale.ROOT, "%d\t%.6f\t%.6f%n", Math.round(validationIterations.get(i)),
                    validationLosses.get(i), validationIous.get(i)));
        }
        return text.toString();
    }

    /**
     * Shows or redraws the window (throttled; {@code force} for the last state). The model's
     * open curve window is reused (its earlier points are replaced: a resume's history holds them).
     */
    void show(boolean force) {
        if (!visible() || isEmpty()) return;
        long now = System.currentTimeMillis();
        if (!force && now - drawnAt < REDRAW_MS) return;
        drawnAt = now;
        if (image == null || image.getWindow() == null || image.getWindow().isClosed()) {
            // Closed by the user: a new window next time, not an error.
            image = find(title, openImages());
            if (image == null) {
                image = drawInto(null);
                image.show();
                return;
            }
        }
        drawInto(image);
    }

    /** Draws the curve into {@code target} (a new image when null) and marks it as this model's curve. */
    ImagePlus drawInto(ImagePlus target) {
        ImageProcessor ip = render();
        ImagePlus imp = target;
        if (imp == null) {
            imp = new ImagePlus(title, ip);
        } else {
            imp.setProcessor(ip);
        }
        imp.setProperty(PROPERTY, name);
        imp.setProperty("Info", table());
        if (target != null) imp.updateAndDraw();
        return imp;
    }

    /** The curve window among {@code open} images: the one with {@code title} that is a curve (never a person's image of that title). */
    static ImagePlus find(String title, Iterable<ImagePlus> open) {
        for (ImagePlus imp : open) {
            if (imp != null && title.equals(imp.getTitle()) && imp.getProperty(PROPERTY) != null) return imp;
        }
        return null;
    }

    private static List<ImagePlus> openImages() {
        List<ImagePlus> images = new ArrayList<>();
        int[] ids = WindowManager.getIDList();
        if (ids == null) return images;
        for (int id : ids) {
            ImagePlus imp = WindowManager.getImage(id);
            ImageWindow window = imp == null ? null : imp.getWindow();
            if (window != null && !window.isClosed()) images.add(imp);
        }
        return images;
    }

    /**
     * Writes the curve as training_curve.png into {@code folder} (also headless and in batch
     * mode) and returns the file, or null when there is no folder or nothing to draw.
     */
    File save(String folder) throws IOException {
        if (folder == null || isEmpty()) return null;
        File dir = new File(folder);
        if (!dir.isDirectory()) throw new IOException("no model folder " + folder);
        File png = new File(dir, PNG);
        if (!ImageIO.write(((ColorProcessor) render()).getBufferedImage(), "png", png)) {
            throw new IOException("no PNG writer in this Java");
        }
        return png;
    }

    private double xMax() {
        double last = 0;
        if (!iterations.isEmpty()) last = iterations.get(iterations.size() - 1);
        if (!validationIterations.isEmpty()) last = Math.max(last, validationIterations.get(validationIterations.size() - 1));
        return Math.max(1, Math.max(total, last));
    }

    private static boolean visible() {
        return !GraphicsEnvironment.isHeadless() && !Interpreter.isBatchMode();
    }

    /** Replaces the series with the event's arrays of those keys (as many points as the shortest has). */
    @SafeVarargs
    private static void replace(Map<String, Object> event, String[] keys, List<Double>... series) {
        double[][] arrays = new double[keys.length][];
        int n = Integer.MAX_VALUE;
        for (int k = 0; k < keys.length; k++) {
            arrays[k] = Events.numbers(event, keys[k]);
            n = Math.min(n, arrays[k] == null ? 0 : arrays[k].length);
        }
        for (int k = 0; k < keys.length; k++) {
            series[k].clear();
            for (int i = 0; i < n; i++) series[k].add(arrays[k][i]);
        }
    }

    /** The lowest and highest finite value of the lists; 0 and 0 when there is none. */
    @SafeVarargs
    private static double[] range(List<Double>... lists) {
        double low = Double.POSITIVE_INFINITY;
        double top = Double.NEGATIVE_INFINITY;
        for (List<Double> values : lists) {
            for (double v : values) {
                if (!Double.isFinite(v)) continue;
                low = Math.min(low, v);
                top = Math.max(top, v);
            }
        }
        return low > top ? new double[] {0, 0} : new double[] {low, top};
    }

    private static double[] array(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }
}
