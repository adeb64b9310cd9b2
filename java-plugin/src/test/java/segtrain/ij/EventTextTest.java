package segtrain.ij;

import org.junit.Test;
import segtrain.api.DemoData;
import segtrain.api.Trainer;
import segtrain.bridge.Events;
import segtrain.bridge.Json;
import segtrain.bridge.TestSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class EventTextTest {
    @Test
    public void logLinesAreTheNativeLibrarysOwnWords() {
        String line = EventText.logLine("m", Events.parseObject("{\"kind\":\"iteration\",\"iteration\":120,"
                + "\"line\":\"iteration 120/300  loss 0.4123  lr 0.00100  ETA 0m41s\"}"));
        assertEquals("SegTrain [m] iteration 120/300  loss 0.4123  lr 0.00100  ETA 0m41s", line);
        assertEquals("SegTrain: iteration 120/300  loss 0.4123  lr 0.00100  ETA 0m41s",
                EventText.status(Events.parseObject("{\"kind\":\"iteration\",\"line\":\"iteration 120/300  loss 0.4123  lr 0.00100  ETA 0m41s\"}")));
    }

    @Test
    public void eventsWithoutALineAreShownCutShort() {
        assertTrue(EventText.logLine("m", Events.parseObject("{\"kind\":\"new\",\"x\":1}")).contains("{\"kind\":\"new\",\"x\":1}"));
        StringBuilder big = new StringBuilder("{\"kind\":\"newer\",\"values\":[0");
        for (int i = 1; i < 5000; i++) big.append(',').append(i);
        String line = EventText.logLine("m", Events.parseObject(big.append("]}").toString()));
        assertTrue(line, line.startsWith("SegTrain [m] event {\"kind\":\"newer\"") && line.endsWith("..."));
        assertTrue(line, line.length() < 300);
    }

    /** A real job's events all carry their line (the words Fiji and the CLI share). */
    @Test
    public void everyEventOfARealTrainingHasItsLine() throws Exception {
        Path models = Files.createTempDirectory("segtrain-event-text");
        try {
            List<Map<String, Object>> events = new ArrayList<>();
            try (Trainer job = Trainer.start(Json.write(TestSettings.tiny(models, "lines", 4, 2)), DemoData.create(1, 64, 64, 2)[0],
                    DemoData.create(1, 64, 64, 2)[1])) {
                while (!job.isDone()) {
                    events.addAll(job.poll());
                    Thread.sleep(50);
                }
                events.addAll(job.poll());
                job.finish();
            }
            assertTrue(events.toString(), events.size() >= 4);
            for (Map<String, Object> event : events) {
                String line = EventText.logLine("m", event);
                assertTrue(line, !line.contains(" event {") && line.length() > "SegTrain [m] ".length() + 5);
            }
            assertTrue(events.toString(), EventText.logLine("m", events.get(events.size() - 1)).startsWith("SegTrain [m] finished 4 iterations"));
        } finally {
            TestSettings.deleteTree(models);
        }
    }

    @Test
    public void theInstallerFormatsTheTimeItsDownloadHasLeft() {
        assertEquals("0m41s", InstallLibtorch.timeLeft(41.2));
        assertEquals("12m05s", InstallLibtorch.timeLeft(725));
        assertEquals("1h02m03s", InstallLibtorch.timeLeft(3723));
    }

    @Test
    public void numbersGoToJsonAsTheyAreTyped() {
        assertEquals(60L, SettingsDialog.json(60.0));
        assertEquals(4.6, SettingsDialog.json(4.6));
        assertEquals(0, SettingsDialog.digits(300));
        assertEquals(1, SettingsDialog.digits(4.6));
        assertEquals(5, SettingsDialog.digits(0.00005));
    }
}
