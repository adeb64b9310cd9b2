package segtrain.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.plugin.frame.RoiManager;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import java.awt.Color;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Auto Label's "rois" output: the 2D objects of a label image, one ROI per label value and slice
 * (instance ids; semantic classes other than the background), with their slice position, named
 * "id 12 z 3" (or "class 255 z 3"; "t" instead of "z" for a time series), outlined in the
 * colour the label image shows them in (for ids above 255: the palette repeated).
 *
 * <p>Speed: one pass over each slice finds every value's bounding box; each ROI is then traced
 * (ImageJ's ThresholdToSelection, which keeps holes and separate parts) on a mask of its own
 * bounding box only, so the work grows with the image, not with the image times the objects.
 */
public final class LabelRois {
    /** Setting key and choices (the Auto Label dialog's last field). */
    public static final String KEY = Keys.ROIS;
    public static final String NONE = "none";
    public static final String ROI_MANAGER = "roi_manager";
    public static final String OVERLAY = "overlay";
    static final String[] CHOICES = {NONE, ROI_MANAGER, OVERLAY};
    /** More ROIs than this are refused: the ROI Manager and overlays become unusable long before. */
    public static final int MAX_ROIS = 20_000;
    /** ROI property that marks SegTrain's outlines in an overlay (replaced by the next run's). */
    static final String PROPERTY = "segtrain";

    private LabelRois() {}

    /** The choice as given, checked. */
    static String check(String choice) {
        for (String c : CHOICES) if (c.equals(choice)) return c;
        throw new IllegalArgumentException(KEY + ": one of none, roi_manager, overlay (got '" + choice + "')");
    }

    /**
     * The ROIs of {@code labels}: every non-zero value of every slice (instance ids), or every
     * class but {@code classes[0]} (semantic; classes = the model's label values, background
     * first; null = instance).
     *
     * @throws IllegalArgumentException when there would be more than {@code limit} ROIs (checked
     *         before any is built)
     */
    static List<Roi> extract(ImagePlus labels, long[] classes, int limit) {
        ImageStack stack = labels.getStack();
        int width = labels.getWidth();
        long background = classes == null ? 0 : classes[0];
        List<Map<Long, int[]>> boxes = new ArrayList<>();
        long total = 0;
        for (int s = 1; s <= stack.getSize(); s++) {
            Map<Long, int[]> slice = boxes(stack.getProcessor(s), width, background);
            boxes.add(slice);
            total += slice.size();
        }
        if (total > limit) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: the labels of '%s' make %,d ROIs (%s per slice, %d slices); SegTrain puts at most %,d "
                            + "in the ROI Manager or an overlay. Choose rois=none, or label a smaller region",
                    KEY, labels.getTitle(), total, classes == null ? "objects" : "classes", stack.getSize(), limit));
        }
        boolean frames = labels.getNFrames() > 1 && labels.getNSlices() == 1;
        List<Roi> rois = new ArrayList<>((int) total);
        ThresholdToSelection tracer = new ThresholdToSelection();
        for (int s = 1; s <= stack.getSize(); s++) {
            ImageProcessor ip = stack.getProcessor(s);
            for (Map.Entry<Long, int[]> e : boxes.get(s - 1).entrySet()) {
                long value = e.getKey();
                Roi roi = trace(tracer, ip, width, value, e.getValue());
                if (roi == null) continue;
                roi.setName(String.format(Locale.ROOT, "%s %d %s %d", classes == null ? "id" : "class", value, frames ? "t" : "z", s));
                if (labels.isHyperStack() || frames) {
                    int[] czt = labels.convertIndexToPosition(s);
                    roi.setPosition(czt[0], czt[1], czt[2]);
                } else {
                    roi.setPosition(s);
                }
                Color color = classes == null ? LabelDisplay.idColor(value) : LabelDisplay.classColor(classes, value);
                roi.setStrokeColor(color);
                roi.setProperty(PROPERTY, "auto label");
                rois.add(roi);
            }
        }
        return rois;
    }

    /** Each value's bounding box in one slice (x0, y0, x1, y1 inclusive), values ascending. */
    private static Map<Long, int[]> boxes(ImageProcessor ip, int width, long background) {
        Map<Long, int[]> boxes = new HashMap<>();
        int n = ip.getPixelCount();
        long last = background;
        int[] box = null;
        for (int i = 0; i < n; i++) {
            long v = (long) ip.getf(i);
            if (v == background) {
                last = background;
                continue;
            }
            if (v != last || box == null) {
                box = boxes.get(v);
                if (box == null) {
                    box = new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1};
                    boxes.put(v, box);
                }
                last = v;
            }
            int x = i % width, y = i / width;
            if (x < box[0]) box[0] = x;
            if (y < box[1]) box[1] = y;
            if (x > box[2]) box[2] = x;
            if (y > box[3]) box[3] = y;
        }
        return new TreeMap<>(boxes);
    }

    /** The outline of {@code value} within its bounding box, placed in image coordinates. */
    private static Roi trace(ThresholdToSelection tracer, ImageProcessor ip, int width, long value, int[] box) {
        int w = box[2] - box[0] + 1, h = box[3] - box[1] + 1;
        byte[] mask = new byte[w * h];
        for (int y = 0; y < h; y++) {
            int row = (box[1] + y) * width + box[0];
            for (int x = 0; x < w; x++) {
                if ((long) ip.getf(row + x) == value) mask[y * w + x] = (byte) 255;
            }
        }
        ByteProcessor bp = new ByteProcessor(w, h, mask);
        bp.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
        Roi roi = tracer.convert(bp);
        if (roi == null) return null;
        Rectangle r = roi.getBounds();
        roi.setLocation(box[0] + r.x, box[1] + r.y);
        return roi;
    }

    /**
     * Puts the ROIs where {@code choice} says: appended to the ROI Manager (a macro in batch mode
     * gets its hidden one), or as the overlay of {@code target} (the labelled image), replacing the
     * outlines an earlier Auto Label put there and keeping the rest of its overlay.
     *
     * @return how many ROIs were added (0 for none)
     */
    static int add(String choice, List<Roi> rois, ImagePlus target) {
        switch (check(choice)) {
            case ROI_MANAGER:
                RoiManager rm = RoiManager.getInstance();
                if (rm == null) rm = new RoiManager();
                for (Roi roi : rois) rm.add(roi, -1); // -1: keep the name as it is
                return rois.size();
            case OVERLAY:
                Overlay overlay = target.getOverlay() == null ? new Overlay() : target.getOverlay().duplicate();
                for (int i = overlay.size() - 1; i >= 0; i--) {
                    if (overlay.get(i).getProperty(PROPERTY) != null) overlay.remove(i);
                }
                for (Roi roi : rois) overlay.add(roi);
                target.setOverlay(overlay);
                return rois.size();
            default:
                return 0;
        }
    }
}
