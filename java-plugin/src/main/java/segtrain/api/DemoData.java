package segtrain.api;

import java.util.LinkedHashMap;
import java.util.Map;
import segtrain.bridge.Json;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import segtrain.bridge.Native;

/** The project's generated demo stacks (from the native library), as 8-bit ImageJ images. */
public final class DemoData {
    public static final String IMAGE_TITLE = "segtrain-demo-image";
    public static final String LABELS_TITLE = "segtrain-demo-labels";

    private DemoData() {}

    /** @return {image, labels}; the same seed always gives the same data */
    public static ImagePlus[] create(int depth, int height, int width, long seed) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("slices", depth);
        settings.put("height", height);
        settings.put("width", width);
        settings.put("seed", seed);
        return create(Json.write(settings));
    }

    /** @param settingsJson the "demo_data" settings: slices, height, width, seed (checked natively) */
    public static ImagePlus[] create(String settingsJson) {
        Object[] stacks = Native.demoStacks(settingsJson);
        float[][] image = (float[][]) stacks[0];
        int[][] labels = (int[][]) stacks[1];
        int[] shape = ((int[][]) stacks[2])[0]; // slices, height, width
        int height = shape[1];
        int width = shape[2];
        ImageStack imageStack = new ImageStack(width, height);
        ImageStack labelStack = new ImageStack(width, height);
        for (int z = 0; z < image.length; z++) {
            byte[] grey = new byte[width * height];
            byte[] label = new byte[width * height];
            for (int i = 0; i < grey.length; i++) {
                grey[i] = (byte) Math.max(0, Math.min(255, Math.round(image[z][i])));
                label[i] = (byte) labels[z][i];
            }
            imageStack.addSlice("z" + z, new ByteProcessor(width, height, grey));
            labelStack.addSlice("z" + z, new ByteProcessor(width, height, label));
        }
        ImagePlus imageImp = new ImagePlus(IMAGE_TITLE, imageStack);
        ImagePlus labelsImp = new ImagePlus(LABELS_TITLE, labelStack);
        for (ImagePlus imp : new ImagePlus[] {imageImp, labelsImp}) {
            Calibration cal = imp.getCalibration();
            cal.pixelWidth = 5;
            cal.pixelHeight = 5;
            cal.pixelDepth = 40; // EM-like anisotropy: thin sections, fine in-plane pixels
            cal.setUnit("nm");
        }
        labelsImp.setDisplayRange(0, 1); // so the objects are visible, not nearly black
        return new ImagePlus[] {imageImp, labelsImp};
    }
}
