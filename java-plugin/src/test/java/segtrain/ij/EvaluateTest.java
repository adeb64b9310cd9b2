package segtrain.ij;

import ij.measure.ResultsTable;
import org.junit.Test;
import segtrain.bridge.Events;

import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The evaluation table built from the native report (pure Java, no library). */
public class EvaluateTest {
    @Test
    public void semanticReportGivesOneRowPerClass() {
        Map<String, Object> report = Events.parseObject("{\"kind\":\"semantic\",\"classes\":[0,1,3],"
                + "\"iou\":[0.9,0.5,null],\"dice\":[0.95,0.6667,null],\"pixel_accuracy\":0.93,\"mean_iou\":0.7}");
        ResultsTable rt = Evaluate.table(report);
        assertEquals(3, rt.size());
        assertEquals(3, rt.getValue("class", 2), 0);
        assertEquals(0.5, rt.getValue("iou", 1), 1e-12);
        assertTrue(Double.isNaN(rt.getValue("iou", 2)));
        assertTrue(Double.isNaN(rt.getValue("dice", 2)));
        for (int row = 0; row < 3; row++) {
            assertEquals(0.93, rt.getValue("pixel_accuracy", row), 1e-12);
            assertEquals(0.7, rt.getValue("mean_iou", row), 1e-12);
        }
    }

    @Test
    public void instanceReportGivesOneRowWithEveryScore() {
        Map<String, Object> report = Events.parseObject("{\"kind\":\"instance\",\"ap50\":0.8,\"map\":0.6,"
                + "\"precision\":0.9,\"recall\":0.85,\"f1\":0.874,\"true_positives\":17,\"false_positives\":2,"
                + "\"false_negatives\":3,\"arand\":0.1,\"voi_split\":0.2,\"voi_merge\":0.3}");
        ResultsTable rt = Evaluate.table(report);
        assertEquals(1, rt.size());
        for (String column : Evaluate.INSTANCE_COLUMNS) assertTrue(column, rt.columnExists(column));
        assertEquals(0.8, rt.getValue("ap50", 0), 1e-12);
        assertEquals(17, rt.getValue("true_positives", 0), 0);
        assertEquals(0.3, rt.getValue("voi_merge", 0), 1e-12);
    }
}
