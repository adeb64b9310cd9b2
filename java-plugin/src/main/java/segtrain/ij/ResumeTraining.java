package segtrain.ij;

import ij.IJ;
import ij.plugin.PlugIn;
import segtrain.api.Trainer;
import segtrain.bridge.Json;

/**
 * Plugins>SegTrain>Resume Training...: continues a stopped, cancelled or crashed model (or one
 * that should train longer) from its newest checkpoint, on the same image and labels, with the
 * settings in its model.json. With a fixed seed on the CPU the loss curve goes on exactly as an
 * uninterrupted run's would. The dialog is the "resume" schema's (iteration_total, gpus and cpus
 * empty and precision "as before" = as stored: they belong to the run, so a model trained on a
 * GPU server can be resumed on a laptop).
 */
public class ResumeTraining implements PlugIn {

    @Override
    public void run(String arg) {
        Errors.command(() -> SettingsDialog.run("resume",
                "Resume Training needs the image and labels the model was trained on, open",
                values -> {
                    String name = values.text(Schema.MODEL);
                    ModelFolder.check(name, values.text(Schema.FOLDER));
                    IJ.log("SegTrain: resuming '" + name + "' on " + values.image(Schema.IMAGE).getTitle() + " / "
                            + values.image(Schema.LABELS).getTitle());
                    Trainer job = Trainer.resume(Json.write(values.settings), values.image(Schema.IMAGE), values.image(Schema.LABELS));
                    return () -> {
                        try (Trainer running = job) {
                            TrainModel.follow(name, running);
                        }
                    };
                }));
    }
}
