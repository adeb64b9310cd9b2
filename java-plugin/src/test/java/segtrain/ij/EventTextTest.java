package segtrain.ij;

import org.junit.Test;
import segtrain.bridge.Events;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class EventTextTest {
    @Test
    public void formatsIterationLines() {
        String line = EventText.logLine("m", Events.parseObject("{\"kind\":\"iteration\",\"iteration\":120,"
                + "\"total\":300,\"loss\":0.41234,\"lr\":0.001,\"elapsed_s\":30,\"eta_s\":41.2}"));
        assertEquals("SegTrain [m] iteration 120/300  loss 0.4123  lr 0.00100  ETA 0m41s", line);
    }

    @Test
    public void formatsOtherKindsAndUnknownOnes() {
        assertEquals("SegTrain [m] checkpoint at iteration 20: /x/iter_000020.safetensors", EventText.logLine("m",
                Events.parseObject("{\"kind\":\"checkpoint\",\"iteration\":20,\"path\":\"/x/iter_000020.safetensors\"}")));
        assertEquals("SegTrain [m] validation at iteration 500: loss 0.2100  IoU 0.812  Dice 0.896  (best so far)",
                EventText.logLine("m", Events.parseObject("{\"kind\":\"validation\",\"iteration\":500,"
                        + "\"loss\":0.21,\"iou\":0.8123,\"dice\":0.8961,\"best\":true}")));
        assertEquals("SegTrain [m] hello", EventText.logLine("m", Events.parseObject("{\"kind\":\"message\",\"text\":\"hello\"}")));
        assertTrue(EventText.logLine("m", Events.parseObject("{\"kind\":\"new\",\"x\":1}")).contains("{\"kind\":\"new\",\"x\":1}"));
        // An unknown kind with a long array is cut short, not poured into the Log.
        StringBuilder big = new StringBuilder("{\"kind\":\"newer\",\"values\":[0");
        for (int i = 1; i < 5000; i++) big.append(',').append(i);
        String line = EventText.logLine("m", Events.parseObject(big.append("]}").toString()));
        assertTrue(line, line.startsWith("SegTrain [m] event {\"kind\":\"newer\"") && line.endsWith("..."));
        assertTrue(line, line.length() < 300);
    }

    @Test
    public void formatsStartedAndHistory() {
        assertEquals("SegTrain [m] started on cpu, 40 iterations, validation every 4, model folder /x/m",
                EventText.logLine("m", Events.parseObject("{\"kind\":\"started\",\"device\":\"cpu\",\"iterations\":40,"
                        + "\"model_dir\":\"/x/m\",\"validation_every\":4}")));
        assertEquals("SegTrain [m] started on cpu, 40 iterations, model folder /x/m",
                EventText.logLine("m", Events.parseObject("{\"kind\":\"started\",\"device\":\"cpu\",\"iterations\":40,"
                        + "\"model_dir\":\"/x/m\",\"validation_every\":null}")));
        assertEquals("SegTrain [m] curve history up to iteration 20: 2 training points, 1 validation",
                EventText.logLine("m", Events.parseObject("{\"kind\":\"history\",\"resumed_from\":20,\"iteration\":[10,20],"
                        + "\"loss\":[0.5,0.25],\"validation_iteration\":[20],\"validation_loss\":[0.7],"
                        + "\"validation_iou\":[0.6],\"validation_dice\":[0.75]}")));
    }

    @Test
    public void formatsDurationsAndRates() {
        assertEquals("0m41s", EventText.duration(41.2));
        assertEquals("12m05s", EventText.duration(725));
        assertEquals("1h02m03s", EventText.duration(3723));
        assertEquals("?", EventText.duration(Double.NaN));
        assertEquals("0.02000", EventText.learningRate(0.02));
        assertEquals("5.00e-06", EventText.learningRate(5e-6));
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
