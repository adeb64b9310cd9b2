package segtrain.api;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ImageProcessor;
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
 * try (Trainer job = Trainer.start(settingsJson, image, labels)) {
 *     while (!job.isDone()) { for (Map&lt;String,Object&gt; e : job.poll()) ...; Thread.sleep(200); }
 *     Map&lt;String,Object&gt; result = job.finish();
 * }
 * </pre>
 */
public final class Trainer implements AutoCloseable {
    private long handle;

    private Trainer(long handle) {
        this.handle = handle;
    }

    /**
     * Validates (in Rust) and starts training.
     *
     * @throws IllegalArgumentException invalid settings or stacks, naming the field
     */
    public static Trainer start(String settingsJson, ImagePlus image, ImagePlus labels) {
        if (image == null || labels == null) throw new IllegalArgumentException("image and labels are required");
        NativeLoader.load(); // before copying pixels: a missing library should fail fast and clearly
        float[][] imagePixels = imageSlices(image);
        int[][] labelPixels = labelSlices(labels);
        long handle = Native.trainStart(settingsJson, imagePixels, image.getWidth(), image.getHeight(),
                labelPixels, labels.getWidth(), labels.getHeight());
        return new Trainer(handle);
    }

    /** Events since the last poll, oldest first; never blocks. */
    public List<Map<String, Object>> poll() {
        return Events.parseArray(Native.jobPoll(handle));
    }

    /** True once the native job has ended (finished, failed or cancelled). */
    public boolean isDone() {
        return Native.jobIsDone(handle);
    }

    /** Asks the job to stop at the next iteration; returns at once. */
    public void cancel() {
        Native.jobCancel(handle);
    }

    /**
     * Waits for the job's end.
     *
     * @return the result: model_dir, iterations, first_loss, final_loss, wall_s
     * @throws java.util.concurrent.CancellationException when the job was cancelled
     */
    public Map<String, Object> finish() {
        return Events.parseObject(Native.jobFinish(handle));
    }

    /** Releases the native job (cancelling it if it still runs). Safe to call twice. */
    @Override
    public void close() {
        if (handle != 0) {
            Native.jobClose(handle);
            handle = 0;
        }
    }

    /** One float[] per slice, row-major; calibrated values via convertToFloat (RGB becomes grey). */
    static float[][] imageSlices(ImagePlus image) {
        checkSingleChannel(image, "image");
        ImageStack stack = image.getStack();
        float[][] slices = new float[stack.getSize()][];
        for (int i = 0; i < slices.length; i++) {
            ImageProcessor ip = stack.getProcessor(i + 1);
            // convertToFloat may return the same processor for 32-bit data: clone so that
            // ImageJ and the native copy never share an array.
            slices[i] = ((float[]) ip.convertToFloat().getPixels()).clone();
        }
        return slices;
    }

    /** One int[] per slice with the raw label values (0 = background). */
    static int[][] labelSlices(ImagePlus labels) {
        if (labels.getBitDepth() == 24) {
            throw new IllegalArgumentException("labels image '" + labels.getTitle() + "' is RGB; labels must be "
                    + "an 8-, 16- or 32-bit image of integer values (Image>Type>8-bit or 16-bit)");
        }
        checkSingleChannel(labels, "labels");
        ImageStack stack = labels.getStack();
        int[][] slices = new int[stack.getSize()][];
        for (int i = 0; i < slices.length; i++) {
            ImageProcessor ip = stack.getProcessor(i + 1);
            int n = ip.getPixelCount();
            int[] values = new int[n];
            boolean isFloat = labels.getBitDepth() == 32;
            for (int j = 0; j < n; j++) {
                // get() returns raw 8/16-bit values; float labels are rounded to the nearest integer
                values[j] = isFloat ? Math.round(ip.getf(j)) : ip.get(j);
            }
            slices[i] = values;
        }
        return slices;
    }

    /** Pixel copying flattens the stack, so channels (or z and t together) would be mixed up. */
    private static void checkSingleChannel(ImagePlus imp, String role) {
        if (imp.getNChannels() > 1 || imp.isComposite()) {
            throw new IllegalArgumentException(role + " image '" + imp.getTitle() + "' has "
                    + imp.getNChannels() + " channels; SegTrain needs a single-channel stack "
                    + "(Image>Color>Split Channels)");
        }
        if (imp.getNSlices() > 1 && imp.getNFrames() > 1) {
            throw new IllegalArgumentException(role + " image '" + imp.getTitle() + "' has both z slices and time "
                    + "frames; SegTrain needs a single z-stack (Image>Duplicate one frame)");
        }
    }
}
