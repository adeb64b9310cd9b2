package segtrain.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import segtrain.api.Predictor;
import segtrain.bridge.Events;
import segtrain.bridge.Json;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Plugins>SegTrain>Evaluate...: scores a segmentation against ground truth (two open label images
 * of the same size) and shows the scores in the "SegTrain Evaluation" table, which macros read
 * with Table.get(column, row, "SegTrain Evaluation"). The dialog is the "evaluate" schema's.
 *
 * <p>Semantic: one row per class (label value) with class, iou, dice (NaN when the class is in
 * neither image), and pixel_accuracy and mean_iou repeated on every row. Instance: one row with
 * {@link #INSTANCE_COLUMNS}.
 */
public class Evaluate implements PlugIn {
    static final String TABLE = "SegTrain Evaluation";
    static final String[] INSTANCE_COLUMNS = {
        "ap50", "map", "precision", "recall", "f1", "true_positives", "false_positives", "false_negatives",
        "arand", "voi_split", "voi_merge",
    };

    @Override
    public void run(String arg) {
        Errors.command(() -> SettingsDialog.run("evaluate",
                "Evaluate needs two open label images: a segmentation (e.g. from Auto Label...) and its ground truth",
                values -> {
                    // The two label images in dialog order: the segmentation, then the truth.
                    ImagePlus[] pair = values.images.values().toArray(new ImagePlus[0]);
                    Map<String, Object> report = Predictor.evaluate(Json.write(values.settings), pair[1], pair[0]);
                    table(report).show(TABLE);
                    IJ.log("SegTrain: " + summary(report, pair[0].getTitle(), pair[1].getTitle()));
                    return null;
                }));
    }

    /** The report as the rows and columns of the evaluation table. */
    static ResultsTable table(Map<String, Object> report) {
        ResultsTable rt = new ResultsTable();
        rt.showRowNumbers(false);
        if (Events.str(report, "kind", "").equals("instance")) {
            rt.incrementCounter();
            for (String column : INSTANCE_COLUMNS) rt.addValue(column, Events.num(report, column, Double.NaN));
        } else {
            List<?> classes = list(report, "classes");
            List<?> iou = list(report, "iou");
            List<?> dice = list(report, "dice");
            for (int i = 0; i < classes.size(); i++) {
                rt.incrementCounter();
                rt.addValue("class", number(classes, i));
                rt.addValue("iou", number(iou, i));
                rt.addValue("dice", number(dice, i));
                rt.addValue("pixel_accuracy", Events.num(report, "pixel_accuracy", Double.NaN));
                rt.addValue("mean_iou", Events.num(report, "mean_iou", Double.NaN));
            }
        }
        return rt;
    }

    /** One line for the Log window: the native library's words for the scores. */
    static String summary(Map<String, Object> report, String segmentation, String truth) {
        return "evaluated " + segmentation + " against " + truth + " " + Events.str(report, "line", "");
    }

    private static List<?> list(Map<String, Object> report, String key) {
        Object value = report.get(key);
        return value instanceof List ? (List<?>) value : Collections.emptyList();
    }

    /** JSON null (a class in neither image) becomes NaN. */
    private static double number(List<?> values, int i) {
        Object v = i < values.size() ? values.get(i) : null;
        return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
    }
}
