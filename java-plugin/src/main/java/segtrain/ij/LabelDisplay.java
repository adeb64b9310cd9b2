package segtrain.ij;

import ij.ImagePlus;
import ij.process.ImageProcessor;
import ij.process.LUT;
import segtrain.bridge.Events;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How Auto Label shows a label image: instance ids in a glasbey-style colour table, semantic
 * classes with one colour per class; background (0, or a semantic model's background class)
 * black in both.
 *
 * <p>The palette is generated, not copied: entry 0 is black, and each next entry is the colour of
 * a 32-level sRGB grid (32,768 candidates) farthest from all entries before it in CIELAB
 * (&Delta;E 1976), ties going to the first candidate in grid order (red slowest, blue fastest);
 * candidates darker than CIELAB lightness 35 are left out, as they hardly show on black. That
 * is the greedy rule of Glasbey, Heijden, Toh and Gray (2007), "Colour displays for categorical
 * images"; each entry is thus far from black and from every entry before it, which keeps
 * neighbouring ids (ids i and i+1) clearly different.
 *
 * <p>Limit of ImageJ 1: whatever the image type, it shows pixels through 256 colour entries.
 * 8-bit labels (ids up to 255) map id i to entry i exactly. 16-bit labels (256 to 65,535
 * objects) are mapped linearly: the display range is set to 0..largest id, so ids are spread
 * over the whole palette (the most ids ImageJ can keep apart), each colour standing for about
 * largest/256 consecutive ids, and ids below largest/512 sharing black with the background. To
 * tell every object apart there, use the ROIs (rois=roi_manager or overlay), or a 256-wide
 * display range (Image&gt;Adjust&gt;Brightness/Contrast) to see ids min..min+255 exactly. 32-bit
 * labels (more than 65,535 objects) are mapped linearly the same way.
 */
public final class LabelDisplay {
    /** Levels per sRGB channel of the palette's candidate colours. */
    private static final int GRID = 32;
    /** Candidates darker than this CIELAB lightness (0 to 100) are left out: they hardly show on black. */
    private static final float MIN_LIGHTNESS = 35;

    private LabelDisplay() {}

    /** The generated palette: 256 colours, entry 0 black (computed once, about 50 ms). */
    static Color[] palette() {
        return Palette.COLORS.clone();
    }

    /**
     * Gives {@code labels} (a label image from Auto Label) its colour table and display range,
     * following the native result: "kind" (instance or semantic), "max_label" and "classes" (a
     * semantic model's label values, background first).
     */
    public static void show(ImagePlus labels, Map<String, Object> result) {
        long max = Events.integer(result, "max_label", -1);
        if (max < 0) max = largest(labels);
        if ("instance".equals(Events.str(result, "kind", ""))) {
            showInstances(labels, max);
        } else {
            long[] classes = classValues(result.get("classes"));
            if (classes == null) classes = distinctValues(labels);
            showClasses(labels, classes);
        }
    }

    /** Instance ids: the glasbey palette; the display range as the class comment says. */
    static void showInstances(ImagePlus labels, long max) {
        labels.setLut(instanceLut());
        labels.setDisplayRange(0, displayMax(labels, max));
    }

    /**
     * Semantic classes: the first value (the background class) black, the others palette entries
     * 1, 2, 3... in their order, so that the colours of a model's classes stay the same from image
     * to image. LUT entries that no class uses form a gray ramp (a value that is no class, e.g.
     * painted by hand, stays visible).
     */
    static void showClasses(ImagePlus labels, long[] classes) {
        long top = 1;
        for (long c : classes) top = Math.max(top, c);
        double hi = displayMax(labels, top);
        Color[] colors = palette();
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) r[i] = g[i] = b[i] = (byte) i;
        boolean[] taken = new boolean[256];
        for (int k = 0; k < classes.length; k++) {
            int entry = entry(labels.getBitDepth(), classes[k], hi);
            if (taken[entry]) continue; // two classes ImageJ's display cannot tell apart: the first keeps it
            taken[entry] = true;
            Color c = k == 0 ? Color.BLACK : colors[1 + (k - 1) % 255];
            r[entry] = (byte) c.getRed();
            g[entry] = (byte) c.getGreen();
            b[entry] = (byte) c.getBlue();
        }
        labels.setLut(new LUT(r, g, b));
        labels.setDisplayRange(0, hi);
    }

    /** The instance LUT: entry 0 black, entries 1..255 the palette's. */
    static LUT instanceLut() {
        Color[] colors = palette();
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) colors[i].getRed();
            g[i] = (byte) colors[i].getGreen();
            b[i] = (byte) colors[i].getBlue();
        }
        return new LUT(r, g, b);
    }

    /** The colour of instance id {@code id} for outlines: the palette repeated every 255 ids, never black. */
    static Color idColor(long id) {
        return Palette.COLORS[(int) (1 + Math.floorMod(id - 1, 255L))];
    }

    /**
     * The colour each semantic class value gets in {@link #showClasses} (8-bit order), for outlines:
     * background black, then palette entries in the classes' order.
     */
    static Color classColor(long[] classes, long value) {
        for (int k = 0; k < classes.length; k++) {
            if (classes[k] == value) return k == 0 ? Color.BLACK : Palette.COLORS[1 + (k - 1) % 255];
        }
        return Color.GRAY;
    }

    /** 8-bit: 255, so that entry i shows value i; else the largest label (at least 1). */
    private static double displayMax(ImagePlus labels, long max) {
        return labels.getBitDepth() == 8 ? 255 : Math.max(1, max);
    }

    /** The LUT entry ImageJ shows {@code value} with, for a display range 0..hi (ImageJ 1.53t's rule per type). */
    static int entry(int bitDepth, long value, double hi) {
        double v = Math.max(0, value);
        int e;
        switch (bitDepth) {
            case 8:
                e = (int) v;
                break;
            case 16: // ShortProcessor.create8BitImage
                e = (int) (v * 256.0 / ((int) hi + 1) + 0.5);
                break;
            default: // FloatProcessor.create8BitImage
                e = (int) (v * 255.0 / hi + 0.5);
        }
        return Math.min(255, e);
    }

    /** A semantic model's label values from the result's "classes"; null when absent. */
    static long[] classValues(Object classes) {
        if (!(classes instanceof List) || ((List<?>) classes).isEmpty()) return null;
        List<?> list = (List<?>) classes;
        long[] values = new long[list.size()];
        for (int i = 0; i < values.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof Number)) return null;
            values[i] = ((Number) v).longValue();
        }
        return values;
    }

    /** The values in a label image, ascending (a library whose result has no "classes"); at most 256. */
    private static long[] distinctValues(ImagePlus labels) {
        TreeSet<Long> values = new TreeSet<>();
        for (int s = 1; s <= labels.getStackSize() && values.size() <= 256; s++) {
            ImageProcessor ip = labels.getStack().getProcessor(s);
            for (int i = 0; i < ip.getPixelCount(); i++) values.add((long) ip.getf(i));
        }
        List<Long> list = new ArrayList<>(values);
        long[] out = new long[Math.min(256, list.size())];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i);
        return out;
    }

    private static long largest(ImagePlus labels) {
        long max = 0;
        for (int s = 1; s <= labels.getStackSize(); s++) {
            ImageProcessor ip = labels.getStack().getProcessor(s);
            for (int i = 0; i < ip.getPixelCount(); i++) max = Math.max(max, (long) ip.getf(i));
        }
        return max;
    }

    /** The palette, generated on first use (holder idiom: once, thread-safe). */
    private static final class Palette {
        static final Color[] COLORS = generate(256);

        static Color[] generate(int n) {
            int count = GRID * GRID * GRID;
            float[] lab = new float[3 * count];
            int[] rgb = new int[count];
            for (int i = 0; i < count; i++) {
                int r = level(i / (GRID * GRID)), g = level(i / GRID % GRID), b = level(i % GRID);
                rgb[i] = (r << 16) | (g << 8) | b;
                toLab(r, g, b, lab, 3 * i);
            }
            float[] nearest = new float[count]; // squared distance to the closest chosen colour
            java.util.Arrays.fill(nearest, Float.MAX_VALUE);
            for (int i = 0; i < count; i++) {
                if (lab[3 * i] < MIN_LIGHTNESS) nearest[i] = -1; // never chosen: too dark on black
            }
            Color[] colors = new Color[n];
            int chosen = 0; // black, grid index 0
            for (int k = 0; k < n; k++) {
                colors[k] = new Color(rgb[chosen]);
                float l = lab[3 * chosen], a = lab[3 * chosen + 1], bb = lab[3 * chosen + 2];
                int next = 0;
                float best = -1;
                for (int i = 0; i < count; i++) {
                    float dl = lab[3 * i] - l, da = lab[3 * i + 1] - a, db = lab[3 * i + 2] - bb;
                    float d = dl * dl + da * da + db * db;
                    if (d < nearest[i]) nearest[i] = d;
                    if (nearest[i] > best) {
                        best = nearest[i];
                        next = i;
                    }
                }
                chosen = next;
            }
            return colors;
        }

        private static int level(int i) {
            return Math.round(i * 255f / (GRID - 1));
        }
    }

    /** CIELAB (D65) of an sRGB colour, into out[at..at+2]. */
    static void toLab(int r, int g, int b, float[] out, int at) {
        double rl = linear(r), gl = linear(g), bl = linear(b);
        double x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / 0.95047;
        double y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl;
        double z = (0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl) / 1.08883;
        double fx = f(x), fy = f(y), fz = f(z);
        out[at] = (float) (116 * fy - 16);
        out[at + 1] = (float) (500 * (fx - fy));
        out[at + 2] = (float) (200 * (fy - fz));
    }

    /** CIELAB distance (&Delta;E 1976) of two colours. */
    static double distance(Color c1, Color c2) {
        float[] lab = new float[6];
        toLab(c1.getRed(), c1.getGreen(), c1.getBlue(), lab, 0);
        toLab(c2.getRed(), c2.getGreen(), c2.getBlue(), lab, 3);
        double dl = lab[0] - lab[3], da = lab[1] - lab[4], db = lab[2] - lab[5];
        return Math.sqrt(dl * dl + da * da + db * db);
    }

    private static double linear(int channel) {
        double c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    private static double f(double t) {
        return t > 216.0 / 24389 ? Math.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    }
}
