package segtrain.ij;

import ij.gui.Plot;
import org.junit.Test;
import segtrain.bridge.Events;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

public class LossCurveTest {
    private static boolean feed(LossCurve curve, String json) {
        return curve.add(Events.parseObject(json));
    }

    @Test
    public void plotsTrainingLossThenValidationLossAndIou() {
        LossCurve curve = new LossCurve("m");
        assertTrue(feed(curve, "{\"kind\":\"iteration\",\"iteration\":10,\"total\":30,\"loss\":0.9,\"lr\":0.02,\"eta_s\":1}"));
        assertTrue(feed(curve, "{\"kind\":\"iteration\",\"iteration\":20,\"total\":30,\"loss\":0.5,\"lr\":0.02,\"eta_s\":1}"));
        assertFalse(feed(curve, "{\"kind\":\"checkpoint\",\"iteration\":20,\"path\":\"/x\"}"));
        Plot plot = curve.plot();
        assertEquals("SegTrain [m] training curve", plot.getTitle());
        float[][] loss = plot.getDataObjectArrays(0);
        assertArrayEquals(new float[] {10, 20}, loss[0], 0);
        assertArrayEquals(new float[] {0.9f, 0.5f}, loss[1], 1e-6f);
        assertEquals("before validation: one series", 1, plot.getDataObjectDesignations().length);

        assertTrue(feed(curve, "{\"kind\":\"validation\",\"iteration\":20,\"loss\":0.7,\"iou\":0.6,\"dice\":0.75,\"best\":true}"));
        assertTrue(feed(curve, "{\"kind\":\"iteration\",\"iteration\":30,\"total\":30,\"loss\":0.4,\"lr\":0.02,\"eta_s\":0}"));
        plot = curve.plot();
        assertEquals(3, plot.getDataObjectDesignations().length);
        assertArrayEquals(new float[] {10, 20, 30}, plot.getDataObjectArrays(0)[0], 0);
        float[][] validationLoss = plot.getDataObjectArrays(1);
        float[][] validationIou = plot.getDataObjectArrays(2);
        assertArrayEquals(new float[] {20}, validationLoss[0], 0);
        assertArrayEquals(new float[] {0.7f}, validationLoss[1], 1e-6f);
        assertArrayEquals(new float[] {0.6f}, validationIou[1], 1e-6f);
    }
}
