package segtrain.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.plugin.PlugIn;
import segtrain.api.Predictor;
import segtrain.bridge.Events;
import segtrain.bridge.Json;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plugins>SegTrain>Auto Label...: labels an open image with a stored model, following the native
 * job in the status and progress bars (Esc stops it), then shows the label image (and the
 * probability maps on request). The dialog is the "auto_label" schema's: its post-processing
 * fields start at the chosen model's stored (tuned) values, and those that do not apply to the
 * model are disabled and not sent. The voxel size comes from the image's calibration (the native
 * side reads it); an uncalibrated image is taken to have the model's.
 */
public class AutoLabel implements PlugIn {

    /** What the user chose. */
    static final class Request {
        ImagePlus image;
        String model;
        Map<String, Object> settings;
        /** Fiji's own choices (not the native library's): e.g. where the objects go as ROIs. */
        Map<String, Object> typed;
    }

    @Override
    public void run(String arg) {
        Errors.command(() -> SettingsDialog.run("auto_label",
                "Auto Label needs an open image to label (try Plugins>SegTrain>Create Demo Data)",
                values -> {
                    Request request = new Request();
                    request.image = values.image(Schema.IMAGE);
                    request.model = values.text(Schema.MODEL);
                    request.settings = values.settings;
                    request.typed = values.typed;
                    ModelFolder.check(request.model, values.text(Schema.FOLDER));
                    return () -> label(request);
                }));
    }

    private static void label(Request request) throws InterruptedException {
        String name = request.model;
        ImagePlus image = request.image;
        long start = System.nanoTime();
        IJ.showStatus("SegTrain: labelling " + image.getTitle() + " with '" + name + "'...");
        try (Predictor job = Predictor.start(Json.write(request.settings), image)) {
            Map<String, Object> result = JobWatch.run(job, name, "stopping (Esc)...", event -> show(name, event));
            if (result == null) {
                IJ.log("SegTrain [" + name + "] auto label of " + image.getTitle() + " cancelled");
                return;
            }
            ImagePlus labels = job.labels();
            LabelDisplay.show(labels, result);
            ImagePlus[] maps = job.probabilities(); // null unless asked for
            if (maps != null) for (ImagePlus map : maps) map.show();
            labels.show(); // last, so that it is the current image for the macro's next line
            double seconds = (System.nanoTime() - start) / 1e9;
            long max = Events.integer(result, "max_label", 0);
            boolean instance = Events.str(result, "kind", "").equals("instance");
            long[] classes = instance ? null : LabelDisplay.classValues(result.get("classes"));
            String found = instance
                    ? max + (max == 1 ? " object" : " objects")
                    : classes != null ? "classes " + joined(classes)
                    : max + (max == 1 ? " foreground class" : " foreground classes");
            IJ.log(String.format(Locale.ROOT, "SegTrain: labelled %s with model '%s' in %.1f s: %s",
                    image.getTitle(), name, seconds, found));
            IJ.showStatus("SegTrain: labelled " + image.getTitle());
            String where = LabelRois.check(String.valueOf(request.typed.getOrDefault(Keys.ROIS, LabelRois.NONE)));
            if (!LabelRois.NONE.equals(where)) {
                if (!instance && classes == null) {
                    throw new IllegalArgumentException("rois: this SegTrain library does not say the model's classes; update it");
                }
                // After the label image is shown: a refusal (too many ROIs) loses no work.
                List<Roi> rois = LabelRois.extract(labels, classes, LabelRois.MAX_ROIS);
                int added = LabelRois.add(where, rois, image);
                IJ.log("SegTrain: " + added + (added == 1 ? " ROI" : " ROIs")
                        + (LabelRois.OVERLAY.equals(where) ? " in the overlay of " + image.getTitle() : " added to the ROI Manager"));
            }
        }
    }

    private static String joined(long[] values) {
        StringBuilder b = new StringBuilder();
        for (long v : values) b.append(b.length() == 0 ? "" : ", ").append(v);
        return b.toString();
    }

    private static void show(String name, Map<String, Object> event) {
        switch (Events.kind(event)) {
            case "predicting":
                int done = (int) Events.integer(event, "windows_done", 0);
                int total = (int) Events.integer(event, "windows_total", 1);
                IJ.showProgress(done, Math.max(1, total));
                IJ.showStatus(EventText.status(event));
                break;
            case "error": // arrives as an exception from finish(), which Errors.report shows once
            case "cancelled":
            case "started":
            case "finished":
                break;
            default: // "message", or a kind a newer library sends
                IJ.log(EventText.logLine(name, event));
        }
    }
}
