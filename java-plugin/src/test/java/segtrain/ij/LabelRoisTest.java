package segtrain.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import org.junit.Test;

import java.awt.Point;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Auto Label's ROI output on small synthetic label stacks. */
public class LabelRoisTest {

    private static void fill(ImageProcessor ip, int x0, int y0, int w, int h, int value) {
        for (int y = y0; y < y0 + h; y++) for (int x = x0; x < x0 + w; x++) ip.set(x, y, value);
    }

    /**
     * Three 20x20 slices. Slice 1: id 1 a 3x4 block, id 2 a 2x2 block. Slice 2: id 1 a 6x6 ring
     * (a 2x2 hole), id 3 in two separate parts (2x1 and 1x3). Slice 3: nothing.
     */
    private static ImagePlus stack(boolean sixteenBit, int offset) {
        ImageStack stack = new ImageStack(20, 20);
        ImageProcessor[] slices = new ImageProcessor[3];
        for (int s = 0; s < 3; s++) {
            slices[s] = sixteenBit ? new ShortProcessor(20, 20) : new ByteProcessor(20, 20);
        }
        fill(slices[0], 2, 3, 3, 4, 1 + offset);
        fill(slices[0], 10, 10, 2, 2, 2 + offset);
        fill(slices[1], 0, 0, 6, 6, 1 + offset);
        fill(slices[1], 2, 2, 2, 2, 0);
        fill(slices[1], 15, 15, 2, 1, 3 + offset);
        fill(slices[1], 19, 10, 1, 3, 3 + offset);
        for (ImageProcessor ip : slices) stack.addSlice(null, ip);
        return new ImagePlus("labels", stack);
    }

    /** Every pixel a ROI holds has its value on its slice, and it holds all of them. */
    private static void assertCovers(ImagePlus labels, Roi roi, int slice, long value, int area) {
        Point[] points = roi.getContainedPoints();
        assertEquals(roi.getName() + " area", area, points.length);
        ImageProcessor ip = labels.getStack().getProcessor(slice);
        for (Point p : points) assertEquals(roi.getName() + " at " + p, value, (long) ip.getf(p.x, p.y));
    }

    @Test
    public void oneRoiPerObjectAndSliceWithItsPositionNameAndArea() {
        ImagePlus labels = stack(false, 0);
        List<Roi> rois = LabelRois.extract(labels, null, 100);
        assertEquals(4, rois.size());
        String[] names = {"id 1 z 1", "id 2 z 1", "id 1 z 2", "id 3 z 2"};
        int[] slices = {1, 1, 2, 2};
        int[] areas = {12, 4, 32, 5};
        for (int i = 0; i < 4; i++) {
            Roi roi = rois.get(i);
            assertEquals(names[i], roi.getName());
            assertEquals(names[i], slices[i], roi.getPosition());
            assertCovers(labels, roi, slices[i], Long.parseLong(names[i].split(" ")[1]), areas[i]);
            assertEquals(LabelDisplay.idColor(Long.parseLong(names[i].split(" ")[1])), roi.getStrokeColor());
        }
        assertEquals(LabelDisplay.palette()[3], rois.get(3).getStrokeColor());
    }

    @Test
    public void sixteenBitIdsAndTimeSeries() {
        ImagePlus labels = stack(true, 1000);
        labels.setDimensions(1, 1, 3);
        List<Roi> rois = LabelRois.extract(labels, null, 100);
        assertEquals(4, rois.size());
        assertEquals("id 1003 t 2", rois.get(3).getName());
        assertEquals(2, rois.get(3).getTPosition());
        assertCovers(labels, rois.get(2), 2, 1001, 32);
    }

    @Test
    public void semanticModelsGiveOneRoiPerClassAndSliceWithoutTheBackground() {
        ImagePlus labels = stack(false, 0);
        // Classes 0 (background), 1, 2, 3.
        List<Roi> rois = LabelRois.extract(labels, new long[] {0, 1, 2, 3}, 100);
        assertEquals(4, rois.size());
        assertEquals("class 1 z 1", rois.get(0).getName());
        assertEquals("class 3 z 2", rois.get(3).getName());
        assertEquals(LabelDisplay.palette()[3], rois.get(3).getStrokeColor());
        // A model whose background class is 1: class 1 is left out, 0 becomes a class.
        List<Roi> other = LabelRois.extract(labels, new long[] {1, 2, 3}, 10_000);
        for (Roi roi : other) assertTrue(roi.getName(), !roi.getName().startsWith("class 1 "));
        assertEquals("class 0 z 1", other.get(0).getName());
        assertCovers(labels, other.get(0), 1, 0, 400 - 16);
    }

    @Test
    public void tooManyRoisAreRefusedBeforeAnyIsBuilt() {
        ImagePlus labels = stack(false, 0);
        try {
            LabelRois.extract(labels, null, 3);
            fail("4 ROIs were accepted with a limit of 3");
        } catch (IllegalArgumentException expected) {
            String m = expected.getMessage();
            assertTrue(m, m.startsWith("rois: the labels of 'labels' make 4 ROIs"));
            assertTrue(m, m.contains("at most 3"));
            assertTrue(m, m.contains("rois=none"));
        }
        assertEquals(4, LabelRois.extract(labels, null, 4).size());
    }

    @Test
    public void twentyThousandIsTheLimit() {
        // 150 x 150 objects of 2x2 pixels: 22,500 ROIs.
        ShortProcessor ip = new ShortProcessor(300, 300);
        for (int i = 0; i < 150; i++) for (int j = 0; j < 150; j++) fill(ip, 2 * i, 2 * j, 2, 2, 1 + i * 150 + j);
        ImagePlus labels = new ImagePlus("grid", ip);
        assertEquals(20_000, LabelRois.MAX_ROIS);
        try {
            LabelRois.extract(labels, null, LabelRois.MAX_ROIS);
            fail("22,500 ROIs were accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("22,500 ROIs"));
        }
    }

    @Test
    public void overlayReplacesEarlierOutlinesAndKeepsTheRest() {
        ImagePlus labels = stack(false, 0);
        ImagePlus image = stack(false, 0);
        image.setTitle("image");
        Overlay own = new Overlay(new Roi(1, 1, 5, 5));
        image.setOverlay(own);
        List<Roi> rois = LabelRois.extract(labels, null, 100);
        assertEquals(4, LabelRois.add(LabelRois.OVERLAY, rois, image));
        assertEquals(5, image.getOverlay().size());
        assertEquals(4, LabelRois.add(LabelRois.OVERLAY, LabelRois.extract(labels, null, 100), image));
        assertEquals("the earlier outlines are replaced, the person's ROI kept", 5, image.getOverlay().size());
        assertEquals(null, image.getOverlay().get(0).getProperty(LabelRois.PROPERTY));
        assertEquals("id 3 z 2", image.getOverlay().get(4).getName());
        assertEquals(0, LabelRois.add(LabelRois.NONE, rois, image));
    }

    @Test
    public void unknownChoicesAreNamed() {
        try {
            LabelRois.check("manager");
            fail("an unknown choice was accepted");
        } catch (IllegalArgumentException expected) {
            assertEquals("rois: one of none, roi_manager, overlay (got 'manager')", expected.getMessage());
        }
    }
}
