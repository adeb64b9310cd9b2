package segtrain.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import org.junit.Test;

import java.awt.Color;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/** Colours of Auto Label's label images, checked on what ImageJ actually renders. */
public class LabelDisplayTest {

    /** The colour ImageJ draws pixel i of the current slice in (its display range and LUT applied). */
    private static Color rendered(ImagePlus imp, int i) {
        ColorProcessor rgb = (ColorProcessor) imp.getProcessor().convertToRGB();
        return new Color(rgb.get(i));
    }

    private static boolean isGray(LUT lut) {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        lut.getReds(r);
        lut.getGreens(g);
        lut.getBlues(b);
        for (int i = 0; i < 256; i++) if (r[i] != g[i] || g[i] != b[i]) return false;
        return true;
    }

    @Test
    public void paletteStartsBlackAndKeepsNeighboursApart() {
        Color[] p = LabelDisplay.palette();
        assertEquals(256, p.length);
        assertEquals(Color.BLACK, p[0]);
        Set<Integer> distinct = new HashSet<>();
        int gray = 0;
        for (int i = 0; i < 256; i++) {
            distinct.add(p[i].getRGB());
            if (p[i].getRed() == p[i].getGreen() && p[i].getGreen() == p[i].getBlue()) gray++;
        }
        assertEquals("all 256 colours differ", 256, distinct.size());
        assertTrue(gray + " gray entries", gray <= 5);
        for (int i = 1; i < 255; i++) {
            double d = LabelDisplay.distance(p[i], p[i + 1]);
            assertTrue("entries " + i + " and " + (i + 1) + " differ by only " + d + " (CIELAB)", d >= 12);
        }
        for (int i = 1; i < 256; i++) {
            double d = LabelDisplay.distance(p[i], Color.BLACK);
            assertTrue("entry " + i + " " + p[i] + " is close to the black background: " + d, d >= 35);
        }
        assertFalse(isGray(LabelDisplay.instanceLut()));
    }

    @Test
    public void colourDistanceIsCielab() {
        assertEquals(100, LabelDisplay.distance(Color.BLACK, Color.WHITE), 0.01);
        assertEquals(0, LabelDisplay.distance(Color.RED, Color.RED), 0);
    }

    @Test
    public void eightBitIdsShowInTheirPaletteColour() {
        byte[] pixels = {0, 1, 2, 3, (byte) 200, (byte) 255};
        ImagePlus labels = new ImagePlus("ids", new ByteProcessor(6, 1, pixels));
        LabelDisplay.showInstances(labels, 255);
        Color[] p = LabelDisplay.palette();
        assertEquals(Color.BLACK, rendered(labels, 0));
        int[] ids = {0, 1, 2, 3, 200, 255};
        for (int i = 1; i < ids.length; i++) assertEquals("id " + ids[i], p[ids[i]], rendered(labels, i));
        assertNotEquals(rendered(labels, 1), rendered(labels, 2));
    }

    @Test
    public void sixteenBitIdsSpreadOverThePalette() {
        short[] pixels = {0, 1, 300, 301, 450, (short) 600, (short) 5000};
        ImagePlus labels = new ImagePlus("many", new ShortProcessor(7, 1, pixels, null));
        LabelDisplay.showInstances(labels, 5000);
        assertEquals(0, labels.getDisplayRangeMin(), 0);
        assertEquals(5000, labels.getDisplayRangeMax(), 0);
        Color[] p = LabelDisplay.palette();
        assertEquals(Color.BLACK, rendered(labels, 0));
        assertEquals("the largest id gets the last entry", p[255], rendered(labels, 6));
        // ImageJ's rule: entry round(id * 256 / (max + 1)); id 1 is below max/512 and looks black.
        assertEquals(Color.BLACK, rendered(labels, 1));
        assertEquals(p[LabelDisplay.entry(16, 300, 5000)], rendered(labels, 2));
        assertEquals(15, LabelDisplay.entry(16, 300, 5000));
        assertNotEquals(rendered(labels, 2), rendered(labels, 4));
        assertNotEquals(Color.BLACK, rendered(labels, 4));
    }

    @Test
    public void thirtyTwoBitIdsFollowImageJsFloatRule() {
        float[] pixels = {0, 70000, 140000};
        ImagePlus labels = new ImagePlus("huge", new FloatProcessor(3, 1, pixels));
        LabelDisplay.showInstances(labels, 140000);
        Color[] p = LabelDisplay.palette();
        assertEquals(Color.BLACK, rendered(labels, 0));
        assertEquals(p[LabelDisplay.entry(32, 70000, 140000)], rendered(labels, 1));
        assertEquals(p[255], rendered(labels, 2));
    }

    @Test
    public void aMaskModelsForegroundGetsAColourAndTheBackgroundBlack() {
        byte[] pixels = {0, (byte) 255, 0, (byte) 255};
        ImagePlus labels = new ImagePlus("mask", new ByteProcessor(4, 1, pixels));
        LabelDisplay.showClasses(labels, new long[] {0, 255});
        assertEquals(Color.BLACK, rendered(labels, 0));
        Color fg = rendered(labels, 1);
        assertEquals(LabelDisplay.palette()[1], fg);
        assertFalse("foreground is not gray: " + fg, fg.getRed() == fg.getGreen() && fg.getGreen() == fg.getBlue());
        assertEquals(fg, LabelDisplay.classColor(new long[] {0, 255}, 255));
        assertFalse(isGray(labels.getProcessor().getLut()));
    }

    @Test
    public void everyClassHasItsOwnColour() {
        long[] classes = {0, 40, 41, 200};
        byte[] pixels = {0, 40, 41, (byte) 200, 7};
        ImagePlus labels = new ImagePlus("classes", new ByteProcessor(5, 1, pixels));
        LabelDisplay.showClasses(labels, classes);
        Set<Integer> colours = new HashSet<>();
        for (int i = 0; i < 4; i++) colours.add(rendered(labels, i).getRGB());
        assertEquals("four classes, four colours", 4, colours.size());
        assertEquals(Color.BLACK, rendered(labels, 0));
        Color[] p = LabelDisplay.palette();
        assertEquals(p[1], rendered(labels, 1));
        assertEquals(p[2], rendered(labels, 2));
        assertEquals(p[3], rendered(labels, 3));
        assertEquals("a value that is no class stays gray", new Color(7, 7, 7), rendered(labels, 4));
    }

    @Test
    public void sixteenBitClassesGetTheEntriesImageJShowsThemWith() {
        short[] pixels = {0, 1000, 2000, (short) 40000};
        ImagePlus labels = new ImagePlus("classes16", new ShortProcessor(4, 1, pixels, null));
        LabelDisplay.showClasses(labels, new long[] {0, 1000, 2000, 40000});
        Color[] p = LabelDisplay.palette();
        assertEquals(Color.BLACK, rendered(labels, 0));
        for (int k = 1; k < 4; k++) assertEquals("class " + k, p[k], rendered(labels, k));
    }

    @Test
    public void theResultChoosesInstanceOrClassColoursAndStacksKeepThem() {
        ImageStack stack = new ImageStack(3, 1);
        stack.addSlice(new ByteProcessor(3, 1, new byte[] {0, 1, 2}));
        stack.addSlice(new ByteProcessor(3, 1, new byte[] {3, 0, 1}));
        ImagePlus labels = new ImagePlus("stack", stack);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("kind", "instance");
        result.put("max_label", 3L);
        LabelDisplay.show(labels, result);
        labels.setSlice(2);
        assertEquals(LabelDisplay.palette()[3], rendered(labels, 0));
        assertFalse(isGray(labels.getProcessor().getLut()));

        ImagePlus mask = new ImagePlus("mask", new ByteProcessor(2, 1, new byte[] {0, (byte) 255}));
        result.put("kind", "semantic");
        result.put("max_label", 255L);
        result.put("classes", Arrays.asList(0L, 255L));
        LabelDisplay.show(mask, result);
        assertEquals(LabelDisplay.palette()[1], rendered(mask, 1));
    }

    @Test
    public void classValuesAreReadFromTheResult() {
        assertEquals("[0, 255]", Arrays.toString(LabelDisplay.classValues(Arrays.asList(0L, 255L))));
        assertEquals(null, LabelDisplay.classValues(null));
        assertEquals(null, LabelDisplay.classValues(Arrays.asList()));
    }
}
