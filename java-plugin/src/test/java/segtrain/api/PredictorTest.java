package segtrain.api;

import ij.ImagePlus;
import ij.gui.NewImage;
import ij.process.ImageProcessor;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import segtrain.bridge.Events;
import segtrain.bridge.Json;
import segtrain.bridge.TestSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Auto-labelling and evaluation through the headless facade, against the real library. */
public class PredictorTest {
    private static Path models;
    private static ImagePlus image;
    private static ImagePlus truth;

    /** One tiny model (4 iterations) for every test: the scores do not matter here, the plumbing does. */
    @BeforeClass
    public static void trainTinyModel() throws Exception {
        models = Files.createTempDirectory("segtrain-predictor-test");
        ImagePlus[] demo = DemoData.create(1, 64, 64, 3);
        image = demo[0];
        truth = demo[1];
        try (Trainer job = Trainer.start(Json.write(TestSettings.tiny(models, "tiny", 4, 2)), image, truth)) {
            waitFor(job::isDone);
            job.finish();
        }
    }

    @AfterClass
    public static void removeModelsFolder() throws Exception {
        TestSettings.deleteTree(models);
    }

    private static Map<String, Object> settings(String name) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("models_dir", models.toString());
        s.put("gpus", 0);
        s.put("cpus", 2);
        return s;
    }

    @Test
    public void labelsHaveTheInputsSizeAndCalibration() throws Exception {
        ImagePlus labels;
        ImagePlus[] maps;
        try (Predictor job = Predictor.start(Json.write(settings("tiny")), image)) {
            waitFor(job::isDone);
            Map<String, Object> result = job.finish();
            assertEquals("semantic", Events.str(result, "kind", "?"));
            // The label values the model was trained with (the demo labels' 0 and 1), background first.
            assertEquals(java.util.Arrays.asList(0L, 1L), result.get("classes"));
            labels = job.labels();
            maps = job.probabilities();
        }
        assertNull("probabilities were not requested", maps);
        assertEquals("segtrain-demo-image-labels", labels.getTitle());
        assertEquals(8, labels.getBitDepth());
        assertEquals(64, labels.getWidth());
        assertEquals(64, labels.getHeight());
        assertEquals(1, labels.getStackSize());
        assertEquals("nm", labels.getCalibration().getUnit());
        assertEquals(5, labels.getCalibration().pixelWidth, 0);
        assertEquals(5, labels.getCalibration().pixelHeight, 0);
        assertEquals(40, labels.getCalibration().pixelDepth, 0);
        ImageProcessor ip = labels.getProcessor();
        for (int i = 0; i < ip.getPixelCount(); i++) {
            int v = ip.get(i);
            assertTrue("label value " + v, v == 0 || v == 1);
        }
    }

    @Test
    public void probabilitiesOnRequest() throws Exception {
        Map<String, Object> s = settings("tiny");
        s.put("probabilities", true);
        ImagePlus[] maps;
        List<?> outputs;
        try (Predictor job = Predictor.start(Json.write(s), image)) {
            waitFor(job::isDone);
            outputs = (List<?>) job.finish().get("outputs");
            maps = job.probabilities();
        }
        assertNotNull(maps);
        assertEquals(1, maps.length);
        assertEquals(1, outputs.size());
        ImagePlus map = maps[0];
        assertEquals("segtrain-demo-image-" + outputs.get(0), map.getTitle());
        assertEquals(32, map.getBitDepth());
        assertEquals(64, map.getWidth());
        assertEquals(64, map.getHeight());
        assertEquals(1, map.getStackSize());
        float[] p = (float[]) map.getProcessor().getPixels();
        for (float v : p) assertTrue("probability " + v, v >= 0 && v <= 1);
    }

    @Test
    public void unknownModelIsRefusedByName() throws Exception {
        try (Predictor job = Predictor.start(Json.write(settings("no-such-model")), image)) {
            // The native side may refuse it at once or when the job ends.
            waitFor(job::isDone);
            job.finish();
            fail("an unknown model was accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("no-such-model"));
        }
    }

    @Test
    public void identicalImagesScorePerfectly() {
        Map<String, Object> semantic = Predictor.evaluate("{\"kind\":\"semantic\",\"per_slice\":false}", truth, truth.duplicate());
        assertEquals("semantic", Events.str(semantic, "kind", "?"));
        List<?> iou = (List<?>) semantic.get("iou");
        assertTrue(semantic.toString(), iou != null && !iou.isEmpty());
        for (Object v : iou) assertEquals(semantic.toString(), 1.0, ((Number) v).doubleValue(), 1e-9);
        assertEquals(1.0, Events.num(semantic, "mean_iou", -1), 1e-9);
        assertTrue(semantic.toString(), Events.str(semantic, "line", "").contains("mean IoU 1.000"));

        Map<String, Object> instance = Predictor.evaluate("{\"kind\":\"instance\",\"per_slice\":true}", truth, truth.duplicate());
        assertEquals("instance", Events.str(instance, "kind", "?"));
        assertEquals(instance.toString(), 1.0, Events.num(instance, "ap50", -1), 1e-9);
        assertTrue(instance.toString(), Events.str(instance, "line", "").contains("AP50 1.000"));
    }

    /** Sparse truth: pixels of the ignore value are scored nowhere, so a guess there costs nothing. */
    @Test
    public void unannotatedTruthPixelsAreLeftOut() {
        ImagePlus sparse = truth.duplicate();
        ImagePlus guess = truth.duplicate();
        for (int i = 0; i < truth.getWidth() * 10; i++) {
            sparse.getProcessor().set(i, 200);
            guess.getProcessor().set(i, 1 - Math.min(1, truth.getProcessor().get(i)));
        }
        String settings = "{\"kind\":\"semantic\",\"per_slice\":false,\"ignore_label\":\"200\"}";
        Map<String, Object> report = Predictor.evaluate(settings, sparse, guess);
        assertEquals(report.toString(), 1.0, Events.num(report, "pixel_accuracy", -1), 1e-9);
        Map<String, Object> dense = Predictor.evaluate("{\"kind\":\"semantic\",\"per_slice\":false}", truth, guess);
        assertTrue(dense.toString(), Events.num(dense, "pixel_accuracy", 2) < 1.0);
    }

    @Test
    public void sizeMismatchIsRefused() {
        ImagePlus smaller = NewImage.createByteImage("small", 64, 48, 1, NewImage.FILL_BLACK);
        try {
            Predictor.evaluate("{\"kind\":\"semantic\",\"per_slice\":false}", truth, smaller);
            fail("images of different sizes were compared");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("differ in size"));
        }
    }

    @Test
    public void fractionalFloatLabelsAreRefused() {
        ImagePlus floats = NewImage.createFloatImage("probability-map", 64, 64, 1, NewImage.FILL_BLACK);
        floats.getProcessor().setf(10, 0.25f);
        try {
            Predictor.evaluate("{\"kind\":\"semantic\",\"per_slice\":false}", truth, floats);
            fail("a probability map was taken as labels");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("the segmentation stack's slice 1 has the value 0.25 at x=10, y=0; "
                    + "labels must be whole numbers"));
        }
    }

    @Test
    public void wholeNumberFloatLabelsAreAccepted() {
        ImagePlus floats = truth.duplicate();
        floats.setProcessor(floats.getProcessor().convertToFloat());
        Map<String, Object> report = Predictor.evaluate("{\"kind\":\"semantic\",\"per_slice\":false}", truth, floats);
        assertEquals(1.0, Events.num(report, "mean_iou", -1), 1e-9);
    }

    private interface Condition {
        boolean holds();
    }

    private static void waitFor(Condition done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!done.holds()) {
            if (System.currentTimeMillis() > deadline) fail("the native job did not end within 2 minutes");
            Thread.sleep(50);
        }
    }
}
