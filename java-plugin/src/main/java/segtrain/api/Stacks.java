package segtrain.api;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ImageProcessor;
import segtrain.bridge.Json;
import segtrain.bridge.Native;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies the pixels of ImageJ stacks into the plain arrays the native library takes: one array
 * per slice, row-major. Shared by {@link Trainer} and {@link Predictor}, so that every entry point
 * reads images and label images the same way. What can be used (bit depth, channels, label
 * values) is decided by the native library: this class describes and copies.
 */
final class Stacks {
    private Stacks() {}

    /** One float[] per slice, row-major; calibrated values via convertToFloat. */
    static float[][] imageSlices(ImagePlus image, String role) {
        check(image, role);
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

    /**
     * The raw label values, one array per slice: int[] for 8- and 16-bit images (whatever the
     * calibration function says), float[] for 32-bit ones (ImageJ has no 32-bit integer images,
     * so ids above 65535 come as floats; the native library checks that they are whole ids).
     *
     * @param role how messages name the image: "labels", "truth", "segmentation"
     */
    static Object[] labelSlices(ImagePlus labels, String role) {
        check(labels, role);
        ImageStack stack = labels.getStack();
        boolean isFloat = labels.getBitDepth() == 32;
        Object[] slices = isFloat ? new float[stack.getSize()][] : new int[stack.getSize()][];
        for (int i = 0; i < slices.length; i++) {
            ImageProcessor ip = stack.getProcessor(i + 1);
            if (isFloat) {
                slices[i] = ((float[]) ip.getPixels()).clone();
                continue;
            }
            int[] values = new int[ip.getPixelCount()];
            for (int j = 0; j < values.length; j++) values[j] = ip.get(j);
            slices[i] = values;
        }
        return slices;
    }

    /** The native library refuses what it cannot read as one grayscale stack (RGB, channels, z and t). */
    private static void check(ImagePlus image, String role) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("role", role);
        description.put("title", image.getTitle());
        description.put("bit_depth", image.getBitDepth());
        description.put("channels", image.getNChannels());
        description.put("slices", image.getNSlices());
        description.put("frames", image.getNFrames());
        Native.checkImage(Json.write(description));
    }
}
