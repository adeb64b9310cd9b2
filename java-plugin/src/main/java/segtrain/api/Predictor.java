package segtrain.api;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import segtrain.bridge.Events;
import segtrain.bridge.Native;
import segtrain.bridge.NativeLoader;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One auto-label job (a stored model applied to an image), and evaluation of a segmentation
 * against ground truth; for plugins and scripts (headless, plain Java types). Copies the pixels
 * of the image once; settings, model loading, tiling, resampling and post-processing are the
 * native library's.
 *
 * <pre>
 * try (Predictor job = Predictor.start(settingsJson, image)) {
 *     while (!job.isDone()) { for (Map&lt;String,Object&gt; e : job.poll()) ...; Thread.sleep(200); }
 *     Map&lt;String,Object&gt; result = job.finish();
 *     ImagePlus labels = job.labels();
 *     ImagePlus[] maps = job.probabilities(); // null unless "probabilities": true
 * }
 * </pre>
 */
public final class Predictor extends NativeJob {
    /** Image property naming the output channel of a probability map (dialogs do not offer maps as inputs). */
    public static final String PROBABILITY_MAP = "segtrain.probability_map";
    private final ImagePlus image;
    /** Whether the settings asked for probability maps (for a library whose result does not say). */
    private final boolean mapsRequested;

    private Predictor(long handle, ImagePlus image, boolean mapsRequested) {
        super(handle);
        this.image = image;
        this.mapsRequested = mapsRequested;
    }

    /**
     * Starts labelling {@code image} on a native thread. The settings (keys: name, models_dir,
     * overlap, tta, probabilities, weights, threshold, gpus, cpus, batch, voxel_nm, instance) are
     * validated by Rust; most problems, e.g. an unknown model name, surface from {@link #finish()}.
     *
     * @throws IllegalArgumentException settings that are not valid JSON, or an image SegTrain cannot read
     */
    public static Predictor start(String settingsJson, ImagePlus image) {
        if (image == null) throw new IllegalArgumentException("an image is required");
        NativeLoader.load(); // before copying pixels: a missing library should fail fast and clearly
        float[][] pixels = Stacks.imageSlices(image, "image");
        boolean maps;
        try {
            maps = Boolean.TRUE.equals(Events.parseObject(settingsJson).get("probabilities"));
        } catch (RuntimeException invalid) {
            maps = false; // predictStart says what is wrong with the settings
        }
        long handle = Native.predictStart(settingsJson, pixels, image.getWidth(), image.getHeight());
        return new Predictor(handle, image, maps);
    }





    /**
     * The label image (waits for the job's end first): classes for semantic models, object ids for
     * instance models (semantic models write the values of their training labels, e.g. 0/255);
     * the input's size, stack layout and spatial calibration, titled "&lt;image title without its
     * file extension&gt;-labels" (see {@link #stem}). 8-bit when the largest label fits, else 16-bit,
     * else 32-bit. Its colour table is ImageJ's default; Auto Label colours it (segtrain.ij.LabelDisplay).
     */
    public ImagePlus labels() {
        Map<String, Object> r = finish();
        int[][] slices = Native.predictLabels(handle());
        checkShape(slices.length, slices.length == 0 ? 0 : slices[0].length, "label image");
        long max = Events.integer(r, "max_label", -1);
        if (max < 0) {
            for (int[] slice : slices) for (int v : slice) max = Math.max(max, v);
        }
        int width = image.getWidth();
        int height = image.getHeight();
        ImageStack stack = new ImageStack(width, height);
        for (int[] slice : slices) {
            ImageProcessor ip;
            if (max <= 255) {
                byte[] pixels = new byte[slice.length];
                for (int i = 0; i < slice.length; i++) pixels[i] = (byte) slice[i];
                ip = new ByteProcessor(width, height, pixels);
            } else if (max <= 65535) {
                short[] pixels = new short[slice.length];
                for (int i = 0; i < slice.length; i++) pixels[i] = (short) slice[i];
                ip = new ShortProcessor(width, height, pixels, null);
            } else {
                // ImageJ 1 has no 32-bit integer images: ids above 65535 go into a 32-bit float
                // image, which holds every whole number exactly up to 2^24 (16,777,216 objects).
                float[] pixels = new float[slice.length];
                for (int i = 0; i < slice.length; i++) pixels[i] = slice[i];
                ip = new FloatProcessor(width, height, pixels);
            }
            stack.addSlice(null, ip);
        }
        ImagePlus labels = like(stem(image.getTitle()) + "-labels", stack);
        labels.setDisplayRange(0, Math.max(1, max));
        return labels;
    }

    /**
     * The probability maps (waits for the job's end first), one 32-bit stack per output channel,
     * titled "&lt;image title without its file extension&gt;-&lt;channel name&gt;" (the names of
     * the result's "outputs", e.g. foreground, contour); null when the settings did not ask for them.
     */
    public ImagePlus[] probabilities() {
        Map<String, Object> r = finish();
        boolean requested = r.containsKey("probabilities") ? Boolean.TRUE.equals(r.get("probabilities")) : mapsRequested;
        if (!requested) return null;
        Object outputs = r.get("outputs");
        List<?> names = outputs instanceof List ? (List<?>) outputs : Collections.emptyList();
        ImagePlus[] maps = new ImagePlus[names.size()];
        for (int c = 0; c < maps.length; c++) {
            float[][] slices = Native.predictProbabilities(handle(), c);
            checkShape(slices.length, slices.length == 0 ? 0 : slices[0].length, "probability map " + names.get(c));
            ImageStack stack = new ImageStack(image.getWidth(), image.getHeight());
            for (float[] slice : slices) stack.addSlice(null, new FloatProcessor(image.getWidth(), image.getHeight(), slice));
            maps[c] = like(stem(image.getTitle()) + "-" + names.get(c), stack);
            maps[c].setProperty(PROBABILITY_MAP, String.valueOf(names.get(c))); // not offered as an input
            maps[c].setDisplayRange(0, 1);
        }
        return maps;
    }

    /**
     * Compares a segmentation with ground truth (synchronously), both label images of the same size
     * (8/16-bit, or 32-bit holding whole numbers).
     *
     * @param settingsJson the "evaluate" settings: kind ("semantic": class values compared pixel by
     *                     pixel; "foreground": object versus background; "instance": objects matched
     *                     by overlap) and per_slice (instance: match the objects of each slice separately)
     * @return semantic: kind, classes (label values), iou, dice (per class, null where a class is in
     *         neither image), pixel_accuracy, mean_iou; instance: kind, ap50, map, precision, recall,
     *         f1, true_positives, false_positives, false_negatives, arand, voi_split, voi_merge
     * @throws IllegalArgumentException images of different sizes, an unknown kind, non-label images
     */
    public static Map<String, Object> evaluate(String settingsJson, ImagePlus truth, ImagePlus segmentation) {
        if (truth == null || segmentation == null) {
            throw new IllegalArgumentException("evaluation needs a ground truth and a segmentation image");
        }
        NativeLoader.load();
        Object[] truthPixels = Stacks.labelSlices(truth, "truth");
        Object[] segPixels = Stacks.labelSlices(segmentation, "segmentation");
        return Events.parseObject(Native.evaluate(settingsJson, truthPixels, truth.getWidth(), truth.getHeight(),
                segPixels, segmentation.getWidth(), segmentation.getHeight()));
    }

    /** File extensions of images that {@link #stem} removes (lower case; longest first where one ends another). */
    private static final String[] IMAGE_EXTENSIONS = {".ome.tiff", ".ome.tif", ".tiff", ".tif", ".png", ".jpeg", ".jpg",
        ".gif", ".bmp", ".zip", ".lsm", ".czi", ".nd2", ".lif", ".mrc", ".dm3", ".dm4"};

    /**
     * An image title without its file extension, for the titles of the results: "plate2d-image.tif"
     * gives "plate2d-image". Only a known image extension (case aside) is removed; other dots stay
     * ("cells.v2.tif" gives "cells.v2", "run.3" stays "run.3"), and so does a title that is only
     * an extension.
     */
    public static String stem(String title) {
        String lower = title.toLowerCase(java.util.Locale.ROOT);
        for (String ext : IMAGE_EXTENSIONS) {
            if (lower.endsWith(ext) && lower.length() > ext.length()) return title.substring(0, title.length() - ext.length());
        }
        return title;
    }

    /** The native result must have the input's shape; anything else is a bug, said plainly. */
    private void checkShape(int slices, int pixels, String what) {
        if (slices != image.getStackSize() || pixels != image.getWidth() * image.getHeight()) {
            throw new IllegalStateException("the native " + what + " has " + slices + " slices of " + pixels
                    + " pixels, but '" + image.getTitle() + "' has " + image.getStackSize() + " slices of "
                    + image.getWidth() + "x" + image.getHeight());
        }
    }

    /** A new image with the input's stack layout and spatial calibration (not its value calibration). */
    private ImagePlus like(String title, ImageStack stack) {
        ImagePlus imp = new ImagePlus(title, stack);
        if (image.getNFrames() > 1 && image.getNSlices() == 1) imp.setDimensions(1, 1, stack.getSize());
        Calibration cal = image.getCalibration().copy();
        cal.disableDensityCalibration(); // e.g. a signed-16-bit function would shift the label values
        imp.setCalibration(cal);
        return imp;
    }
}
