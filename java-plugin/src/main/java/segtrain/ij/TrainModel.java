package segtrain.ij;

import ij.IJ;
import ij.plugin.PlugIn;
import segtrain.api.Trainer;
import segtrain.bridge.Events;
import segtrain.bridge.Json;

import java.io.File;
import java.io.IOException;
import java.util.Map;

/**
 * Plugins>SegTrain>Train Model...: asks for the settings (the dialog of the "train" schema),
 * then follows the native training job, showing its events in the Log window, status bar,
 * progress bar and a live training curve until it ends. Esc stops it.
 */
public class TrainModel implements PlugIn {

    @Override
    public void run(String arg) {
        Errors.command(() -> SettingsDialog.run("train",
                "Train Model needs two open images, an image and its labels (try Plugins>SegTrain>Create Demo Data)",
                values -> {
                    String name = String.valueOf(values.typed.get(Keys.MODEL_NAME));
                    Trainer job = Trainer.start(Json.write(values.settings), values.image(Schema.IMAGE), values.image(Schema.LABELS));
                    return () -> {
                        try (Trainer running = job) {
                            follow(name, running);
                        }
                    };
                }));
    }

    /**
     * Follows a training (new or resumed) to its end: events in the Log, status and progress
     * bars, the training curve (the model's curve window, reused when open); Esc stops it at the
     * next iteration. Then saves the curve as training_curve.png in the model folder (also after
     * Esc) and says where the model is.
     */
    static void follow(String name, Trainer job) throws InterruptedException {
        LossCurve curve = new LossCurve(name);
        Map<String, Object> result = JobWatch.run(job, name, "stopping at the next iteration (Esc)...", event -> {
            if (curve.add(event)) curve.show(false);
            show(name, event);
        });
        curve.show(true);
        String saved = result == null ? curve.modelDir() : Events.str(result, "model_dir", curve.modelDir());
        saveCurve(name, curve, saved);
        if (saved == null) saved = "?";
        if (result == null) return; // cancelled: the "cancelled" event has logged the last checkpoint
        IJ.log("SegTrain: model '" + name + "' " + Events.str(result, "line", "saved in " + saved));
        IJ.showStatus("SegTrain: model '" + name + "' saved");
    }

    /** training_curve.png in the model folder; a failure here costs the picture, not the model. */
    private static void saveCurve(String name, LossCurve curve, String modelDir) {
        try {
            File png = curve.save(modelDir);
            if (png != null) IJ.log("SegTrain [" + name + "] training curve saved: " + png);
        } catch (IOException | RuntimeException e) {
            IJ.log("SegTrain [" + name + "] training curve not saved: " + e.getMessage());
        }
    }

    private static void show(String name, Map<String, Object> event) {
        // A failure arrives as an exception from finish(), which Errors.report shows once.
        if (Events.kind(event).equals("error")) return;
        if (Events.kind(event).equals("iteration")) {
            IJ.showProgress((int) Events.integer(event, "iteration", 0), (int) Events.integer(event, "total", 1));
            IJ.showStatus(EventText.status(event));
        }
        IJ.log(EventText.logLine(name, event));
    }

}
