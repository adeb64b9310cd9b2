package segtrain.bridge;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** The JNI contract of Native.java, against the real library (-Dsegtrain.native.lib, set by Gradle). */
public class NativeTest {
    private Path models;

    @Before
    public void makeModelsFolder() throws Exception {
        models = Files.createTempDirectory("segtrain-native-test");
    }

    @After
    public void removeModelsFolder() throws Exception {
        TestSettings.deleteTree(models);
    }

    @Test
    public void describesItself() {
        assertFalse(Native.version().trim().isEmpty());
        List<String> names = Events.parseStrings(Native.configNames());
        assertTrue(names.toString(), names.contains("Semantic2D"));
        Map<String, Object> config = Events.parseObject(Native.configJson("Semantic2D"));
        assertNotNull(config.get("window_size"));
        assertFalse(Native.defaultModelsDir().trim().isEmpty());
        assertTrue(Events.parseArray(Native.listModels(models.toString())).isEmpty());
    }

    @Test
    public void checkpointThatDoesNotDivideTheTotalIsRefusedByName() {
        Map<String, Object> s = TestSettings.tiny(models, "bad", 100, 7);
        assertRefused(s, "iteration_save");
    }

    @Test
    public void negativeLearningRateIsRefusedByName() {
        Map<String, Object> s = TestSettings.tiny(models, "bad", 10, 5);
        s.put("base_lr", -1);
        assertRefused(s, "base_lr");
    }

    @Test
    public void unknownConfigIsRefused() {
        try {
            Native.configJson("NoSuchConfig");
            fail("configJson accepted an unknown name");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("NoSuchConfig"));
        }
    }

    @Test
    public void panicsArriveAsSegTrainExceptionAndTheJvmLivesOn() {
        try {
            Native.panicForTest("boom");
            fail("no exception");
        } catch (SegTrainException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("boom"));
        }
        // A second panic and an ordinary call both still work.
        try {
            Native.panicForTest("boom again " + 42);
            fail("no exception");
        } catch (SegTrainException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("boom again 42"));
        }
        assertFalse(Native.version().isEmpty());
    }

    @Test
    public void cancelStopsARunningJob() throws Exception {
        Object[] demo = Native.demoStacks("{\"slices\":1,\"height\":64,\"width\":64,\"seed\":5}");
        Map<String, Object> s = TestSettings.tiny(models, "cancel-me", 100000, 1000);
        long job = Native.trainStart(Json.write(s), (float[][]) demo[0], 64, 64, (int[][]) demo[1], 64, 64);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            // Wait until training is really under way (its first events), then cancel.
            long deadline = System.currentTimeMillis() + 120_000;
            boolean sawEvents = false;
            while (!sawEvents && System.currentTimeMillis() < deadline) {
                sawEvents = !Events.parseArray(Native.jobPoll(job)).isEmpty();
                if (!sawEvents) Thread.sleep(100);
            }
            assertTrue("no events within 120 s", sawEvents);
            assertFalse("a 100000-iteration job ended on its own", Native.jobIsDone(job));
            Native.jobCancel(job);
            Future<String> finish = executor.submit(() -> Native.jobFinish(job));
            try {
                String result = finish.get(30, TimeUnit.SECONDS);
                fail("a cancelled job finished normally: " + result);
            } catch (ExecutionException e) {
                assertTrue("expected CancellationException, got " + e.getCause(),
                        e.getCause() instanceof CancellationException);
            }
            assertTrue(Native.jobIsDone(job));
        } finally {
            executor.shutdownNow();
            Native.jobClose(job);
        }
    }

    @Test
    public void zeroAndClosedHandlesAreRefused() throws Exception {
        assertBadHandle(() -> Native.jobPoll(0));
        assertBadHandle(() -> Native.jobIsDone(0));
        assertBadHandle(() -> Native.jobFinish(0));
        assertBadHandle(() -> Native.jobPoll(987654321L));

        Object[] demo = Native.demoStacks("{\"slices\":1,\"height\":64,\"width\":64,\"seed\":6}");
        Map<String, Object> s = TestSettings.tiny(models, "closed", 100000, 1000);
        long job = Native.trainStart(Json.write(s), (float[][]) demo[0], 64, 64, (int[][]) demo[1], 64, 64);
        assertTrue(job != 0);
        Native.jobClose(job); // cancels the running job
        Native.jobClose(job); // idempotent
        assertBadHandle(() -> Native.jobPoll(job));
        assertBadHandle(() -> Native.jobFinish(job));
        assertBadHandle(() -> Native.jobCancel(job));
    }

    @Test
    public void demoStacksAreRepeatable() {
        Object[] a = Native.demoStacks("{\"slices\":2,\"height\":32,\"width\":48,\"seed\":9}");
        Object[] b = Native.demoStacks("{\"slices\":2,\"height\":32,\"width\":48,\"seed\":9}");
        float[][] image = (float[][]) a[0];
        int[][] labels = (int[][]) a[1];
        assertEquals(2, image.length);
        assertEquals(32 * 48, image[0].length);
        assertEquals(32 * 48, labels[1].length);
        assertTrue(java.util.Arrays.deepEquals(image, (float[][]) b[0]));
        assertTrue(java.util.Arrays.deepEquals(labels, (int[][]) b[1]));
    }

    private static void assertRefused(Map<String, Object> settings, String field) {
        Object[] demo = Native.demoStacks("{\"slices\":1,\"height\":64,\"width\":64,\"seed\":1}");
        try {
            long job = Native.trainStart(Json.write(settings), (float[][]) demo[0], 64, 64, (int[][]) demo[1], 64, 64);
            Native.jobClose(job);
            fail("settings accepted: " + Json.write(settings));
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains(field));
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertBadHandle(Call call) throws Exception {
        try {
            call.run();
            fail("a bad handle was accepted");
        } catch (IllegalStateException expected) {
            assertNotNull(expected.getMessage());
        }
    }
}
