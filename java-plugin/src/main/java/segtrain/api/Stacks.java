package segtrain.api;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ImageProcessor;

/**
 * Copies the pixels of ImageJ stacks into the plain arrays the native library takes: one array
 * per slice, row-major. Shared by {@link Trainer} and {@link Predictor}, so that every entry point
 * reads images and label images the same way.
 */
final class Stacks {
    private Stacks() {}

    /** 2^24: the largest id a 32-bit float holds together with all ids below it. */
    private static final float FLOAT_EXACT_IDS = 16777216f;

    /**
     * One float[] per slice, row-major; calibrated values via convertToFloat. RGB is refused as
     * the command line refuses an RGB file: which grey a colour image should become is the
     * person's choice, not ours.
     */
    static float[][] imageSlices(ImagePlus image, String role) {
        if (image.getBitDepth() == 24) {
            throw new IllegalArgumentException(role + " image '" + image.getTitle() + "' is an RGB colour image; "
                    + "convert to 8-bit grayscale first (Image > Type > 8-bit)");
        }
        checkSingleChannel(image, role);
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
     * One int[] per slice with the raw label values (0 = background). 8- and 16-bit images give
     * their raw values; a 32-bit image must hold whole numbers (ImageJ has no 32-bit integer
     * images, so ids above 65535 come as floats); anything else, e.g. a probability map, is refused
     * rather than silently rounded. Negative values are refused by the native side.
     *
     * @param role how messages name the image: "labels", "truth", "segmentation"
     */
    static int[][] labelSlices(ImagePlus labels, String role) {
        if (labels.getBitDepth() == 24) {
            throw new IllegalArgumentException(role + " image '" + labels.getTitle() + "' is RGB; labels must be "
                    + "an 8-, 16- or 32-bit image of integer values (Image>Type>8-bit or 16-bit)");
        }
        checkSingleChannel(labels, role);
        ImageStack stack = labels.getStack();
        boolean isFloat = labels.getBitDepth() == 32;
        int[][] slices = new int[stack.getSize()][];
        for (int i = 0; i < slices.length; i++) {
            ImageProcessor ip = stack.getProcessor(i + 1);
            int n = ip.getPixelCount();
            int[] values = new int[n];
            for (int j = 0; j < n; j++) {
                if (isFloat) {
                    float v = ip.getf(j);
                    if (v != Math.rint(v) || Math.abs(v) > FLOAT_EXACT_IDS) {
                        throw new IllegalArgumentException(role + " image '" + labels.getTitle() + "' is 32-bit and "
                                + "holds " + v + " (slice " + (i + 1) + ", x " + (j % ip.getWidth()) + ", y "
                                + (j / ip.getWidth()) + "); label images must hold whole numbers (class values or "
                                + "object ids up to " + (int) FLOAT_EXACT_IDS + ", above which floats merge neighbouring ids), "
                                + "not probabilities");
                    }
                    values[j] = (int) v;
                } else {
                    values[j] = ip.get(j); // raw 8/16-bit values, whatever the calibration function says
                }
            }
            slices[i] = values;
        }
        return slices;
    }

    /** Pixel copying flattens the stack, so channels (or z and t together) would be mixed up. */
    static void checkSingleChannel(ImagePlus imp, String role) {
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
