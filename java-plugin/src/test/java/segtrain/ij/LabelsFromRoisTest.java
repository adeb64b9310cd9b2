package segtrain.ij;

import ij.gui.Line;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Labels from ROIs on a synthetic 3-slice 40 x 30 image (pure Java, no library). */
public class LabelsFromRoisTest {
    private static final int IGNORE = 65535;

    private static Roi named(Roi roi, String name, int position) {
        roi.setName(name);
        roi.setPosition(position);
        return roi;
    }

    private static int at(LabelsFromRois.Labels labels, int slice, int x, int y) {
        ImageProcessor ip = labels.stack.getProcessor(slice);
        return ip.get(x, y);
    }

    @Test
    public void classesComeFromTheNamesAndImageJsOwnNamesAreNotClasses() {
        assertEquals(0, LabelsFromRois.classOf("0"));
        assertEquals(0, LabelsFromRois.classOf("0: background"));
        assertEquals(2, LabelsFromRois.classOf("2: membrane"));
        assertEquals(1, LabelsFromRois.classOf("class 1 hole"));
        assertEquals(3, LabelsFromRois.classOf("Class 3"));
        assertEquals(12, LabelsFromRois.classOf(" 12 "));
        assertEquals(-1, LabelsFromRois.classOf("0001-0123-0456"));
        assertEquals(-1, LabelsFromRois.classOf("membrane 2"));
        assertEquals(-1, LabelsFromRois.classOf("2.5"));
        assertEquals(-1, LabelsFromRois.classOf(null));
    }

    @Test
    public void roisBecomeClassesOnTheirSlicesAndEverythingElseTheIgnoreValue() {
        Roi[] rois = {
            named(new Roi(2, 3, 10, 5), "0: background", 1),     // 50 px on slice 1
            named(new OvalRoi(20, 10, 8, 8), "1: hole", 2),       // a disc on slice 2
            named(new Roi(30, 20, 4, 4), "class 2 membrane", 0),  // 16 px on every slice
        };
        Line stroke = new Line(5, 25, 15, 25);
        stroke.setStrokeWidth(3);
        Roi[] all = {rois[0], rois[1], rois[2], named(stroke, "1", 3)};
        LabelsFromRois.Labels labels = LabelsFromRois.rasterise(40, 30, 3, all, IGNORE);
        assertEquals(3, labels.stack.getSize());
        assertEquals(16, labels.stack.getBitDepth());
        assertEquals(0, at(labels, 1, 2, 3));
        assertEquals(0, at(labels, 1, 11, 7));
        assertEquals(IGNORE, at(labels, 1, 12, 7));
        assertEquals("the background rectangle is on slice 1 only", IGNORE, at(labels, 2, 5, 5));
        assertEquals(1, at(labels, 2, 24, 14));
        assertEquals(IGNORE, at(labels, 1, 24, 14));
        for (int slice = 1; slice <= 3; slice++) assertEquals(2, at(labels, slice, 31, 21));
        // The stroke: 3 px wide around y = 25 on slice 3.
        assertEquals(1, at(labels, 3, 10, 24));
        assertEquals(1, at(labels, 3, 10, 26));
        assertEquals(IGNORE, at(labels, 3, 10, 28));
        assertEquals(IGNORE, at(labels, 2, 10, 25));
        long expected = 50 + labelled(labels, 2, 1) + 3 * 16 + labelled(labels, 3, 1);
        assertEquals(expected, labels.annotated);
        assertEquals(0, labels.conflicts);
        assertEquals(2, labels.maxClass);
        String summary = labels.summary(IGNORE);
        assertTrue(summary, summary.startsWith("labels from 4 ROIs: " + expected + " of 3600 pixels annotated"));
        assertTrue(summary, summary.contains("give ignore_label 65535 when training"));
    }

    private static long labelled(LabelsFromRois.Labels labels, int slice, int value) {
        short[] pixels = (short[]) labels.stack.getPixels(slice);
        long n = 0;
        for (short p : pixels) if ((p & 0xffff) == value) n++;
        return n;
    }

    @Test
    public void overlapsOfDifferentClassesAreLeftUnannotatedAndOfOneClassAreKept() {
        Roi[] rois = {
            named(new Roi(0, 0, 10, 10), "0", 1),
            named(new Roi(5, 5, 10, 10), "1", 1),
            named(new Roi(12, 12, 6, 6), "1", 1),
        };
        LabelsFromRois.Labels labels = LabelsFromRois.rasterise(20, 20, 1, rois, 255);
        assertEquals(255, at(labels, 1, 7, 7));          // 0 and 1 overlap
        assertEquals(0, at(labels, 1, 2, 2));
        assertEquals(1, at(labels, 1, 13, 13));          // two ROIs of class 1 overlap
        assertEquals(25, labels.conflicts);
        assertTrue(labels.summary(255).contains("25 pixels where ROIs of different classes overlap were left unannotated"));
    }

    @Test
    public void unnamedRoisTheIgnoreValueAsAClassAndMissingSlicesAreRefusedByName() {
        expectError(new Roi[] {named(new Roi(0, 0, 2, 2), "0001-0001-0001", 1)}, 1, "ROI '0001-0001-0001' has no class");
        expectError(new Roi[] {named(new Roi(0, 0, 2, 2), "255: oops", 1)}, 1, "class 255 is the ignore value");
        expectError(new Roi[] {named(new Roi(0, 0, 2, 2), "1", 4)}, 3, "is on slice 4 but the image has 3");
        for (double bad : new double[] {0, -1, 2.5, 70000, Double.NaN}) {
            try {
                LabelsFromRois.checkIgnore(bad);
                fail("ignore " + bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("ignore_label: a whole number from 1 to 65535"));
            }
        }
        assertEquals(255, LabelsFromRois.checkIgnore(255));
    }

    private static void expectError(Roi[] rois, int slices, String text) {
        try {
            LabelsFromRois.rasterise(8, 8, slices, rois, 255);
            fail(text);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(text));
        }
    }
}
