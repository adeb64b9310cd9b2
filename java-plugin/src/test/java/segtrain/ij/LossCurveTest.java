package segtrain.ij;

import ij.ImagePlus;
import ij.gui.Plot;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import segtrain.bridge.Events;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

public class LossCurveTest {
    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private static boolean feed(LossCurve curve, String json) {
        return curve.add(Events.parseObject(json));
    }

    private static String iteration(int iteration, int total, double loss) {
        return "{\"kind\":\"iteration\",\"iteration\":" + iteration + ",\"total\":" + total + ",\"loss\":" + loss
                + ",\"lr\":0.02,\"eta_s\":1}";
    }

    private static String validation(int iteration, double loss, double iou) {
        return "{\"kind\":\"validation\",\"iteration\":" + iteration + ",\"loss\":" + loss + ",\"iou\":" + iou
                + ",\"dice\":0.75,\"best\":true}";
    }

    private static final String STARTED = "{\"kind\":\"started\",\"device\":\"cpu\",\"iterations\":60,"
            + "\"model_dir\":\"/m/curve\",\"validation_every\":20}";
    private static final String HISTORY = "{\"kind\":\"history\",\"resumed_from\":20,\"iteration\":[10,20],"
            + "\"loss\":[0.9,0.5],\"validation_iteration\":[20],\"validation_loss\":[0.7],\"validation_iou\":[0.6],"
            + "\"validation_dice\":[0.75]}";

    @Test
    public void plotsTrainingLossAboveAndValidationIouOnItsOwnAxisBelow() {
        LossCurve curve = new LossCurve("m");
        assertFalse(feed(curve, STARTED));
        assertTrue(feed(curve, iteration(10, 60, 0.9)));
        assertTrue(feed(curve, iteration(20, 60, 0.5)));
        assertFalse(feed(curve, "{\"kind\":\"checkpoint\",\"iteration\":20,\"path\":\"/x\"}"));
        Plot loss = curve.lossPlot();
        assertEquals("SegTrain [m] training curve", loss.getTitle());
        assertArrayEquals(new float[] {10, 20}, loss.getDataObjectArrays(0)[0], 0);
        assertArrayEquals(new float[] {0.9f, 0.5f}, loss.getDataObjectArrays(0)[1], 1e-6f);
        assertEquals("before validation: one series", 1, loss.getDataObjectDesignations().length);
        assertEquals("before validation the IoU panel has no series", 0, curve.iouPlot().getDataObjectDesignations().length);

        assertTrue(feed(curve, validation(20, 2.5, 0.6)));
        assertTrue(feed(curve, iteration(30, 60, 0.4)));
        loss = curve.lossPlot();
        assertEquals(2, loss.getDataObjectDesignations().length);
        assertArrayEquals(new float[] {10, 20, 30}, loss.getDataObjectArrays(0)[0], 0);
        assertArrayEquals(new float[] {20}, loss.getDataObjectArrays(1)[0], 0);
        assertArrayEquals(new float[] {2.5f}, loss.getDataObjectArrays(1)[1], 1e-6f);
        // The loss axis spans every loss with room for the legend above the highest; the
        // iteration axis spans the run's total, so the curve grows into it.
        double[] limits = loss.getLimits();
        assertEquals(0, limits[0], 0);
        assertEquals(60, limits[1], 0);
        assertEquals(0, limits[2], 0);
        assertTrue(Arrays.toString(limits), limits[3] >= 1.25 * 2.5);

        Plot iou = curve.iouPlot();
        assertEquals("the IoU panel holds the IoU alone", 1, iou.getDataObjectDesignations().length);
        assertArrayEquals(new float[] {20}, iou.getDataObjectArrays(0)[0], 0);
        assertArrayEquals(new float[] {0.6f}, iou.getDataObjectArrays(0)[1], 1e-6f);
        limits = iou.getLimits();
        assertEquals("the same iteration axis", 0, limits[0], 0);
        assertEquals(60, limits[1], 0);
        assertTrue("IoU on its own 0..1 axis, not the loss's: " + Arrays.toString(limits),
                limits[2] <= 0 && limits[2] > -0.1 && limits[3] >= 1 && limits[3] < 1.1);
    }

    @Test
    public void lossesSpanningMoreThanTwentyFoldGetALogAxis() {
        LossCurve curve = new LossCurve("m");
        feed(curve, iteration(10, 60, 2.0));
        feed(curve, iteration(20, 60, 0.3));
        feed(curve, validation(20, 5.0, 0.1));
        Plot linear = curve.lossPlot();
        assertEquals("loss", linear.getLabel('y'));
        assertEquals(0, linear.getLimits()[2], 0);
        feed(curve, validation(30, 80.0, 0.2)); // an early validation loss far above the training loss
        Plot log = curve.lossPlot();
        assertEquals("loss (log scale)", log.getLabel('y'));
        double[] limits = log.getLimits();
        assertTrue(Arrays.toString(limits), limits[2] > 0 && limits[2] <= 0.3 && limits[3] >= 80 * Math.pow(80 / 0.3, 0.25));
        assertTrue(LossCurve.logScale(0.1, 2.1));
        assertFalse(LossCurve.logScale(0.1, 1.9));
        assertFalse("never with a loss of 0", LossCurve.logScale(0, 5));
        assertEquals("the IoU panel stays linear 0..1", 1.05, curve.iouPlot().getLimits()[3], 1e-9);
    }

    @Test
    public void aHistoryComesFirstThenTheLiveEventsInOrder() {
        LossCurve curve = new LossCurve("m");
        // A window reused from a run that went past the checkpoint: the history replaces its points.
        feed(curve, iteration(10, 40, 0.95));
        feed(curve, iteration(30, 40, 0.1));
        feed(curve, validation(30, 0.2, 0.9));
        feed(curve, STARTED);
        assertTrue(feed(curve, HISTORY));
        feed(curve, iteration(30, 60, 0.4));
        feed(curve, iteration(40, 60, 0.35));
        feed(curve, validation(40, 0.5, 0.7));
        Plot loss = curve.lossPlot();
        assertArrayEquals(new float[] {10, 20, 30, 40}, loss.getDataObjectArrays(0)[0], 0);
        assertArrayEquals(new float[] {0.9f, 0.5f, 0.4f, 0.35f}, loss.getDataObjectArrays(0)[1], 1e-6f);
        assertArrayEquals(new float[] {20, 40}, loss.getDataObjectArrays(1)[0], 0);
        assertArrayEquals(new float[] {0.7f, 0.5f}, loss.getDataObjectArrays(1)[1], 1e-6f);
        assertArrayEquals(new float[] {0.6f, 0.7f}, curve.iouPlot().getDataObjectArrays(0)[1], 1e-6f);
        assertEquals("SegTrain [m] training curve\ntraining: iteration\tloss\n10\t0.900000\n20\t0.500000\n"
                + "30\t0.400000\n40\t0.350000\nvalidation: iteration\tloss\tIoU\n20\t0.700000\t0.600000\n"
                + "40\t0.500000\t0.700000\n", curve.table().replace(System.lineSeparator(), "\n"));
        assertEquals("/m/curve", curve.modelDir());

        // A run that starts over (no checkpoint yet) sends an empty history.
        assertTrue(feed(curve, "{\"kind\":\"history\",\"resumed_from\":0,\"iteration\":[],\"loss\":[],"
                + "\"validation_iteration\":[],\"validation_loss\":[],\"validation_iou\":[],\"validation_dice\":[]}"));
        assertTrue(curve.isEmpty());
    }

    @Test
    public void rendersBothPanelsHeadlessAndSavesThemAsPng() throws Exception {
        LossCurve curve = new LossCurve("m");
        feed(curve, STARTED);
        feed(curve, HISTORY);
        feed(curve, iteration(30, 60, 0.4));
        ImageProcessor image = curve.render();
        int top = curve.lossPlot().getProcessor().getHeight();
        int bottom = curve.iouPlot().getProcessor().getHeight();
        assertEquals("two panels, one above the other", top + bottom, image.getHeight());
        assertTrue(image.getWidth() >= 560 && bottom >= 110 && top >= 200);
        // The training line's colour is in the upper panel, the IoU circles' in the lower.
        assertTrue(holds(image, LossCurve.TRAINING, 0, top));
        assertFalse(holds(image, LossCurve.TRAINING, top, image.getHeight()));
        assertTrue(holds(image, LossCurve.VALIDATION_IOU, top, image.getHeight()));
        assertFalse(holds(image, LossCurve.VALIDATION_IOU, 0, top));

        File model = folder.newFolder("curve");
        File png = curve.save(model.getPath());
        assertEquals(new File(model, "training_curve.png"), png);
        byte[] bytes = Files.readAllBytes(png.toPath());
        assertTrue(bytes.length > 2000);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(bytes, 4));
        BufferedImage read = ImageIO.read(png);
        assertEquals(image.getWidth(), read.getWidth());
        assertEquals(image.getHeight(), read.getHeight());
        assertNull("nothing to save without a folder", curve.save(null));
        assertNull("nothing drawn, nothing saved", new LossCurve("empty").save(model.getPath()));
    }

    @Test
    public void aSecondCurveOfTheModelFindsItsOpenWindowAndDrawsIntoIt() {
        LossCurve first = new LossCurve("m");
        feed(first, iteration(10, 20, 0.9));
        ImagePlus window = first.drawInto(null);
        assertEquals("SegTrain [m] training curve", window.getTitle());
        ImagePlus personsImage = new ImagePlus("SegTrain [m] training curve", new ByteProcessor(8, 8));
        LossCurve other = new LossCurve("other");
        feed(other, iteration(10, 20, 0.8));
        ImagePlus otherModel = other.drawInto(null);

        String title = LossCurve.title("m");
        assertNull("a person's image of that title is never taken", LossCurve.find(title, Arrays.asList(personsImage, otherModel)));
        assertSame(window, LossCurve.find(title, Arrays.asList(personsImage, otherModel, window)));

        LossCurve resumed = new LossCurve("m");
        feed(resumed, HISTORY);
        feed(resumed, iteration(30, 60, 0.4));
        ImagePlus reused = resumed.drawInto(LossCurve.find(title, Arrays.asList(otherModel, window)));
        assertSame("the same window, not a second one", window, reused);
        assertEquals(resumed.table(), reused.getProperty("Info"));
        assertTrue(((String) reused.getProperty("Info")).contains("\n30\t0.400000"));
    }

    /** True when a pixel of {@code color} lies in rows [from, to). */
    private static boolean holds(ImageProcessor image, java.awt.Color color, int from, int to) {
        int rgb = color.getRGB() & 0xffffff;
        for (int y = from; y < to; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getPixel(x, y) & 0xffffff) == rgb) return true;
            }
        }
        return false;
    }
}
