package segtrain.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.plugin.PlugIn;
import ij.plugin.frame.RoiManager;
import ij.process.ByteProcessor;
import ij.process.ShortProcessor;

import java.awt.Rectangle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plugins>SegTrain>Labels from ROIs: sparse training labels from the ROIs of the ROI Manager, for
 * training on a few annotated strokes or areas per class (Train Model's ignore_label).
 *
 * <p>The rules (also in the README):
 * <ul>
 * <li>Class: each ROI's name starts with its class value, a whole number, alone or followed by
 *     ':' or a space, optionally after the word "class": {@code 0}, {@code 0: background},
 *     {@code 2: membrane}, {@code class 1 hole}. 0 is background. A ROI named otherwise (ImageJ's
 *     own names such as {@code 0001-0123-0456} included) is refused by name, never guessed.</li>
 * <li>Area: a ROI's area is filled; a line ROI (a stroke) is drawn with its line width (Edit >
 *     Selection > Properties, or the width of the line tool).</li>
 * <li>Slice: the ROI's position (the slice it was added on); position 0 (not tied to a slice)
 *     means every slice.</li>
 * <li>Overlaps: where ROIs of different classes overlap, the pixels are left unannotated (a
 *     conflict is not a label), and the Log says how many; ROIs of one class may overlap.</li>
 * <li>Everything else is the ignore value (default 65535), which must be given as Train Model's
 *     ignore_label. The labels are a 16-bit stack of the chosen image's size and calibration.</li>
 * </ul>
 *
 * <p>Macro keys: image, ignore. Pure ImageJ: no native library needed.
 */
public class LabelsFromRois implements PlugIn {
    static final int DEFAULT_IGNORE = 65535;
    /** "3", "3: membrane", "3 membrane", "class 3", "Class 3: x"; not "0001-0123-0456". */
    private static final Pattern CLASS_NAME = Pattern.compile("^\\s*(?:class\\s*)?(\\d+)(?:\\s*$|\\s*:|\\s+)", Pattern.CASE_INSENSITIVE);

    @Override
    public void run(String arg) {
        Errors.command(() -> {
            // getInstance2: in batch mode the batch-mode ROI Manager (getInstance sees only a window).
            RoiManager manager = RoiManager.getInstance2();
            Roi[] rois = manager == null ? new Roi[0] : manager.getRoisAsArray();
            if (rois.length == 0) {
                throw new IllegalArgumentException("the ROI Manager holds no ROIs: draw the annotations, add each with "
                        + "Add [t] and name it after its class (e.g. '0: background', '1: hole')");
            }
            SettingsDialog.run("labels_from_rois", "Labels from ROIs needs the image the ROIs were drawn on: open it first", values -> {
                ImagePlus imp = values.image(Schema.IMAGE);
                Object typed = values.typed.get(Keys.IGNORE_LABEL);
                int ignore = checkIgnore(typed instanceof Number ? ((Number) typed).doubleValue() : Double.NaN);
                Labels labels = rasterise(imp.getWidth(), imp.getHeight(), imp.getStackSize(), rois, ignore);
                return () -> {
                    ImagePlus out = new ImagePlus(imp.getShortTitle() + "-labels", labels.stack);
                    out.setCalibration(imp.getCalibration().copy());
                    out.setDisplayRange(0, labels.maxClass);
                    out.show();
                    IJ.log("SegTrain: " + labels.summary(ignore));
                };
            });
        });
    }

    /** The ignore value: a whole number 1 to 65535 (0 is background; the labels are 16-bit). */
    static int checkIgnore(double ignore) {
        if (Double.isNaN(ignore) || ignore != Math.rint(ignore) || ignore < 1 || ignore > 65535) {
            throw new IllegalArgumentException(Keys.IGNORE_LABEL + ": a whole number from 1 to 65535 (got " + ignore
                    + "); 0 is background. Give the same value as ignore_label in Train Model");
        }
        return (int) ignore;
    }

    /** The class a ROI's name gives (see the class comment), or -1. */
    static int classOf(String name) {
        if (name == null) return -1;
        Matcher m = CLASS_NAME.matcher(name);
        if (!m.find()) return -1;
        try {
            return Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The label stack and what went into it. */
    static final class Labels {
        final ImageStack stack;
        final int rois;
        final long annotated;
        final long conflicts;
        final long total;
        final int maxClass;

        Labels(ImageStack stack, int rois, long annotated, long conflicts, long total, int maxClass) {
            this.stack = stack;
            this.rois = rois;
            this.annotated = annotated;
            this.conflicts = conflicts;
            this.total = total;
            this.maxClass = maxClass;
        }

        String summary(int ignore) {
            String text = String.format(java.util.Locale.ROOT, "labels from %d ROIs: %d of %d pixels annotated (%.2f %%), "
                    + "the rest %d (give ignore_label %d when training)", rois, annotated, total, 100.0 * annotated / Math.max(1, total), ignore, ignore);
            if (conflicts > 0) text += "; " + conflicts + " pixels where ROIs of different classes overlap were left unannotated";
            return text;
        }
    }

    /**
     * Rasterises {@code rois} into a 16-bit stack of {@code slices} sections of width x height:
     * each ROI's pixels (ImageJ's own fill: areas filled, lines drawn with their width) get its
     * class on its slice (position 0: every slice); pixels claimed by two classes and all others
     * get {@code ignore}.
     */
    static Labels rasterise(int width, int height, int slices, Roi[] rois, int ignore) {
        int[] classes = new int[rois.length];
        for (int i = 0; i < rois.length; i++) {
            String name = rois[i].getName();
            int c = classOf(name);
            if (c < 0) {
                throw new IllegalArgumentException("ROI '" + name + "' has no class: name every ROI after its class value, "
                        + "e.g. '0: background' or '1: hole' (ROI Manager > Rename...)");
            }
            if (c == ignore || c > 65535) {
                throw new IllegalArgumentException("ROI '" + name + "': class " + c + (c == ignore ? " is the ignore value" : " does not fit 16 bits")
                        + "; classes are 0 (background) to 65535 except the ignore value " + ignore);
            }
            int position = position(rois[i]);
            if (position > slices) {
                throw new IllegalArgumentException("ROI '" + name + "' is on slice " + position + " but the image has " + slices);
            }
            classes[i] = c;
        }
        int plane = width * height;
        // Per pixel: -1 unclaimed, a class, or -2 claimed by two classes.
        int[][] claim = new int[slices][plane];
        for (int[] s : claim) java.util.Arrays.fill(s, -1);
        ByteProcessor mask = new ByteProcessor(width, height);
        mask.setColor(255);
        int maxClass = 0;
        for (int i = 0; i < rois.length; i++) {
            Roi roi = rois[i];
            int c = classes[i];
            maxClass = Math.max(maxClass, c);
            Rectangle r = area(roi, width, height);
            if (r.isEmpty()) continue;
            // A stroke wider than a pixel as the area it covers (drawPixels would draw it 1 px wide).
            Roi shape = roi.isLine() && roi.getStrokeWidth() > 1 ? Roi.convertLineToArea(roi) : roi;
            mask.fill(shape != null ? shape : roi);
            int position = position(roi);
            byte[] m = (byte[]) mask.getPixels();
            for (int z = 0; z < slices; z++) {
                if (position != 0 && position != z + 1) continue;
                int[] s = claim[z];
                for (int y = r.y; y < r.y + r.height; y++) {
                    for (int x = r.x, at = y * width + r.x; x < r.x + r.width; x++, at++) {
                        if (m[at] == 0) continue;
                        s[at] = s[at] == -1 || s[at] == c ? c : -2;
                    }
                }
            }
            // Clear what this ROI drew (only its area) for the next one.
            for (int y = r.y; y < r.y + r.height; y++) java.util.Arrays.fill(m, y * width + r.x, y * width + r.x + r.width, (byte) 0);
        }
        ImageStack stack = new ImageStack(width, height);
        long annotated = 0, conflicts = 0;
        for (int z = 0; z < slices; z++) {
            short[] pixels = new short[plane];
            for (int i = 0; i < plane; i++) {
                int v = claim[z][i];
                if (v >= 0) annotated++;
                if (v == -2) conflicts++;
                pixels[i] = (short) (v >= 0 ? v : ignore);
            }
            stack.addSlice(null, new ShortProcessor(width, height, pixels, null));
        }
        return new Labels(stack, rois.length, annotated, conflicts, (long) plane * slices, maxClass);
    }

    /** The slice a ROI belongs to (1-based), 0 for every slice. */
    static int position(Roi roi) {
        int z = roi.getZPosition();
        return z > 0 ? z : Math.max(0, roi.getPosition());
    }

    /** The part of the image a ROI can touch: its bounds grown by its line width, clipped. */
    private static Rectangle area(Roi roi, int width, int height) {
        Rectangle b = roi.getBounds();
        int grow = (int) Math.ceil(Math.max(1, roi.getStrokeWidth())) + 1;
        b.grow(grow, grow);
        return b.intersection(new Rectangle(0, 0, width, height));
    }
}
