package segtrain.api;

import ij.ImagePlus;
import ij.gui.NewImage;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import segtrain.bridge.Events;
import segtrain.bridge.Json;
import segtrain.bridge.TestSettings;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** The headless facade with ImageJ images, against the real library. */
public class TrainerTest {
    private Path models;

    @Before
    public void makeModelsFolder() throws Exception {
        models = Files.createTempDirectory("segtrain-trainer-test");
    }

    @After
    public void removeModelsFolder() throws Exception {
        TestSettings.deleteTree(models);
    }

    @Test
    public void demoDataIsCalibratedEightBit() {
        ImagePlus[] demo = DemoData.create(3, 40, 50, 2);
        assertEquals(DemoData.IMAGE_TITLE, demo[0].getTitle());
        assertEquals(DemoData.LABELS_TITLE, demo[1].getTitle());
        for (ImagePlus imp : demo) {
            assertEquals(8, imp.getBitDepth());
            assertEquals(3, imp.getStackSize());
            assertEquals(50, imp.getWidth());
            assertEquals(40, imp.getHeight());
            assertEquals("nm", imp.getCalibration().getUnit());
            assertEquals(40, imp.getCalibration().pixelDepth, 0);
        }
    }

    @Test
    public void trainsATinyModel() throws Exception {
        ImagePlus[] demo = DemoData.create(2, 64, 64, 3);
        String settings = Json.write(TestSettings.tiny(models, "tiny", 4, 2));
        List<Map<String, Object>> events = new ArrayList<>();
        Map<String, Object> result;
        try (Trainer job = Trainer.start(settings, demo[0], demo[1])) {
            long deadline = System.currentTimeMillis() + 120_000;
            while (!job.isDone() && System.currentTimeMillis() < deadline) {
                events.addAll(job.poll());
                Thread.sleep(100);
            }
            events.addAll(job.poll());
            result = job.finish();
            job.close(); // closing twice (again by try-with-resources) is fine
        }
        List<String> kinds = new ArrayList<>();
        for (Map<String, Object> e : events) kinds.add(Events.kind(e));
        assertTrue(kinds.toString(), kinds.contains("started"));
        assertTrue(kinds.toString(), kinds.contains("iteration"));
        assertTrue(kinds.toString(), kinds.contains("checkpoint"));
        assertTrue(kinds.toString(), kinds.contains("finished"));
        assertEquals(4, Events.integer(result, "iterations", -1));
        File modelDir = new File(Events.str(result, "model_dir", "?"));
        assertEquals(models.resolve("tiny").toFile().getCanonicalPath(), modelDir.getCanonicalPath());
        assertTrue(new File(modelDir, "model.json").isFile());
    }

    @Test
    public void resumesAStoredModelAndTrainsOnToAHigherTotal() throws Exception {
        ImagePlus[] demo = DemoData.create(2, 64, 64, 3);
        Map<String, Object> result = run(Trainer.start(Json.write(TestSettings.tiny(models, "again", 4, 2)), demo[0], demo[1]));
        assertEquals(4, Events.integer(result, "iterations", -1));
        // Finished at its total: nothing left to train, said by name.
        String same = "{\"name\":\"again\",\"models_dir\":" + Json.write(models.toString()) + "}";
        try (Trainer job = Trainer.resume(same, demo[0], demo[1])) {
            fail("resumed a finished model without a higher total");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("iteration_total"));
        }
        // Other stacks than the ones it was trained on are refused.
        ImagePlus[] other = DemoData.create(3, 64, 64, 3);
        String longer = "{\"name\":\"again\",\"models_dir\":" + Json.write(models.toString()) + ",\"iteration_total\":8}";
        try (Trainer job = Trainer.resume(longer, other[0], other[1])) {
            fail("resumed on other stacks");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("same stacks"));
        }
        result = run(Trainer.resume(longer, demo[0], demo[1]));
        assertEquals(8, Events.integer(result, "iterations", -1));
        assertTrue(models.resolve("again/checkpoints/iter_000008.safetensors").toFile().isFile());
    }

    /** Follows a job to its end and returns its result. */
    private static Map<String, Object> run(Trainer started) throws Exception {
        try (Trainer job = started) {
            long deadline = System.currentTimeMillis() + 120_000;
            while (!job.isDone() && System.currentTimeMillis() < deadline) {
                job.poll();
                Thread.sleep(100);
            }
            return job.finish();
        }
    }

    @Test
    public void differentSizesAreRefusedWithBothSizes() {
        ImagePlus image = NewImage.createByteImage("img", 96, 96, 3, NewImage.FILL_BLACK);
        ImagePlus labels = NewImage.createByteImage("lab", 96, 80, 3, NewImage.FILL_BLACK);
        String settings = Json.write(TestSettings.tiny(models, "mismatch", 4, 2));
        try (Trainer job = Trainer.start(settings, image, labels)) {
            fail("different sizes accepted");
        } catch (IllegalArgumentException expected) {
            String message = expected.getMessage();
            assertTrue(message, message.toLowerCase().contains("size"));
            assertTrue(message, message.matches("(?s).*(^|[^0-9])96([^0-9]|$).*"));
            assertTrue(message, message.matches("(?s).*(^|[^0-9])80([^0-9]|$).*"));
        }
        assertTrue(!models.resolve("mismatch").toFile().exists());
    }

    @Test
    public void rgbLabelsAreRefusedBeforeCopying() {
        ImagePlus image = NewImage.createByteImage("img", 32, 32, 1, NewImage.FILL_BLACK);
        ImagePlus labels = NewImage.createRGBImage("rgb-labels", 32, 32, 1, NewImage.FILL_BLACK);
        try {
            Trainer.start("{}", image, labels);
            fail("RGB labels accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("labels image 'rgb-labels' is an RGB colour image; "
                    + "labels must hold one number per pixel"));
        }
    }

    /** The command line refuses an RGB file; Fiji refuses an RGB image the same way. */
    @Test
    public void rgbImagesAreRefusedLikeTheCommandLineRefusesThem() {
        ImagePlus image = NewImage.createRGBImage("rgb-image", 32, 32, 1, NewImage.FILL_BLACK);
        ImagePlus labels = NewImage.createByteImage("lab", 32, 32, 1, NewImage.FILL_BLACK);
        try {
            Trainer.start("{}", image, labels);
            fail("RGB image accepted");
        } catch (IllegalArgumentException expected) {
            String message = expected.getMessage();
            assertTrue(message, message.contains("'rgb-image' is an RGB colour image; convert to 8-bit grayscale first"));
        }
    }

    @Test
    public void floatLabelIdsAbove2To24AreRefusedBecauseFloatsMergeThem() {
        ImagePlus image = NewImage.createByteImage("img", 4, 4, 1, NewImage.FILL_RAMP);
        ImagePlus labels = NewImage.createFloatImage("float-ids", 4, 4, 1, NewImage.FILL_BLACK);
        labels.getProcessor().setf(5, 16777218f);
        try {
            Trainer.start(Json.write(TestSettings.tiny(models, "float-ids", 4, 2)), image, labels);
            fail("float id above 2^24 accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("the labels stack's slice 1 has the id 16777218 at x=1, y=1"));
        }
    }
}
