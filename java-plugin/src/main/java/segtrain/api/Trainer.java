package segtrain.api;

import ij.ImagePlus;
import segtrain.bridge.Events;
import segtrain.bridge.Native;
import segtrain.bridge.NativeLoader;

import java.util.List;
import java.util.Map;

/**
 * One training job, for plugins and scripts (headless, plain Java types). Copies the pixels of
 * the two ImageJ stacks once, then leaves everything else to the native library: settings and
 * shape validation, training on a native thread, checkpoints and the saved model.
 *
 * <pre>
 * try (Trainer job = Trainer.start(settingsJson, image, labels)) {   // or Trainer.resume(...)
 *     while (!job.isDone()) { for (Map&lt;String,Object&gt; e : job.poll()) ...; Thread.sleep(200); }
 *     Map&lt;String,Object&gt; result = job.finish();
 * }
 * </pre>
 */
public final class Trainer extends NativeJob {
    private Trainer(long handle) {
        super(handle);
    }

    /**
     * Validates (in Rust) and starts training.
     *
     * @throws IllegalArgumentException invalid settings or stacks, naming the field
     */
    public static Trainer start(String settingsJson, ImagePlus image, ImagePlus labels) {
        return begin(Native::trainStart, settingsJson, image, labels);
    }

    /**
     * Validates (in Rust) and continues a stored model from its newest checkpoint.
     *
     * @param settingsJson {"name", "models_dir", "iteration_total"} (see Native.resumeStart)
     * @throws IllegalArgumentException no such model, no checkpoint, other stacks, nothing left to train
     */
    public static Trainer resume(String settingsJson, ImagePlus image, ImagePlus labels) {
        return begin(Native::resumeStart, settingsJson, image, labels);
    }

    /**
     * Validates (in Rust) and starts tuning a stored model's post-processing on a labelled stack
     * (a job on an image and its labels, like training; its result is the tuning report).
     *
     * @param settingsJson {"name", "models_dir", "weights", "voxel_nm", "cpus"} (see Native.tuneStart)
     * @throws IllegalArgumentException bad settings or stacks of different sizes
     */
    public static Trainer tune(String settingsJson, ImagePlus image, ImagePlus labels) {
        return begin(Native::tuneStart, settingsJson, image, labels);
    }

    /** The native start functions: settings, image slices and size, label slices and size. */
    private interface Start {
        long call(String settingsJson, float[][] image, int width, int height, Object[] labels, int labelWidth, int labelHeight);
    }

    private static Trainer begin(Start start, String settingsJson, ImagePlus image, ImagePlus labels) {
        if (image == null || labels == null) throw new IllegalArgumentException("image and labels are required");
        NativeLoader.load(); // before copying pixels: a missing library should fail fast and clearly
        float[][] imagePixels = Stacks.imageSlices(image, "image");
        Object[] labelPixels = Stacks.labelSlices(labels, "labels");
        long handle = start.call(settingsJson, imagePixels, image.getWidth(), image.getHeight(),
                labelPixels, labels.getWidth(), labels.getHeight());
        return new Trainer(handle);
    }
}
