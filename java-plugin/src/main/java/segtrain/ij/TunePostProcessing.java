package segtrain.ij;

import ij.IJ;
import ij.plugin.PlugIn;
import segtrain.api.Trainer;
import segtrain.bridge.Events;
import segtrain.bridge.Json;

import java.util.Map;

/**
 * Plugins>SegTrain>Tune Post-processing...: searches a stored model's post-processing (the
 * threshold of a binary model; the watershed's thresholds and size limits of an instance model)
 * on a labelled stack the model did not train on, for the best score (foreground IoU; AP@0.5),
 * and stores the values in its model.json, where Auto Label starts from them. Training already
 * does this on its validation block; this is for labelled data that comes later. The dialog is
 * the "tune" schema's.
 */
public class TunePostProcessing implements PlugIn {

    @Override
    public void run(String arg) {
        Errors.command(() -> SettingsDialog.run("tune",
                "Tune Post-processing needs a labelled stack, image and labels, open",
                values -> {
                    String name = values.text(Schema.MODEL);
                    ModelFolder.check(name, values.text(Schema.FOLDER));
                    IJ.log("SegTrain [" + name + "] tuning the post-processing on " + values.image(Schema.IMAGE).getTitle()
                            + " / " + values.image(Schema.LABELS).getTitle() + "...");
                    IJ.showStatus("SegTrain: tuning '" + name + "'...");
                    Trainer job = Trainer.tune(Json.write(values.settings), values.image(Schema.IMAGE), values.image(Schema.LABELS));
                    return () -> {
                        try (Trainer running = job) {
                            Map<String, Object> report = JobWatch.run(running, name, "stopping (Esc)...", event -> {
                                if (!Events.kind(event).equals("error")) IJ.log(EventText.logLine(name, event));
                            });
                            if (report != null) IJ.showStatus("SegTrain: tuned '" + name + "'");
                        }
                    };
                }));
    }
}
