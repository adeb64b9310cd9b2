package segtrain.ij;

import segtrain.bridge.Events;
import segtrain.bridge.Json;

import java.util.Locale;
import java.util.Map;

/** Turns training events into the lines of the Log window and the status bar (pure text, testable). */
final class EventText {
    private EventText() {}

    /** Characters of an unknown event shown in the Log. */
    static final int MAX_UNKNOWN = 200;

    /** The Log line for an event, e.g. "SegTrain [m] iteration 120/300  loss 0.4123  lr 0.00100  ETA 0m41s". */
    static String logLine(String name, Map<String, Object> event) {
        String prefix = "SegTrain [" + name + "] ";
        String kind = Events.kind(event);
        switch (kind) {
            case "started":
                return prefix + "started on " + Events.str(event, "device", "?") + ", "
                        + Events.integer(event, "iterations", 0) + " iterations, "
                        + (event.get("validation_every") instanceof Number
                                ? "validation every " + Events.integer(event, "validation_every", 0) + ", " : "")
                        + "model folder " + Events.str(event, "model_dir", "?");
            case "history": {
                double[] points = Events.numbers(event, "iteration");
                double[] validations = Events.numbers(event, "validation_iteration");
                return prefix + "curve history up to iteration " + Events.integer(event, "resumed_from", 0) + ": "
                        + count(points, "training point") + ", " + count(validations, "validation");
            }
            case "iteration":
                return prefix + "iteration " + progress(event)
                        + String.format(Locale.ROOT, "  loss %.4f  lr %s  ETA %s",
                                Events.num(event, "loss", Double.NaN),
                                learningRate(Events.num(event, "lr", Double.NaN)),
                                duration(Events.num(event, "eta_s", Double.NaN)));
            case "validation":
                return prefix + "validation at iteration " + Events.integer(event, "iteration", 0)
                        + String.format(Locale.ROOT, ": loss %.4f  IoU %.3f  Dice %.3f",
                                Events.num(event, "loss", Double.NaN), Events.num(event, "iou", Double.NaN),
                                Events.num(event, "dice", Double.NaN))
                        + (Boolean.TRUE.equals(event.get("best")) ? "  (best so far)" : "");
            case "checkpoint":
                return prefix + "checkpoint at iteration " + Events.integer(event, "iteration", 0)
                        + ": " + Events.str(event, "path", "?");
            case "message":
                return prefix + Events.str(event, "text", "");
            case "cancelled":
                return prefix + "cancelled after " + Events.integer(event, "iterations", 0) + " iterations"
                        + (event.get("last_checkpoint") instanceof String
                                ? "; last checkpoint " + event.get("last_checkpoint") + " (resume to continue)"
                                : ", before the first checkpoint");
            case "error":
                return prefix + "error: " + Events.str(event, "message", "?");
            case "finished":
                return prefix + "finished " + Events.integer(event, "iterations", 0) + " iterations";
            default:
                // A newer library may send kinds this plugin does not know: show them rather than
                // drop them, cut short (such an event may carry long arrays).
                String json = Json.write(event);
                return prefix + "event " + (json.length() > MAX_UNKNOWN ? json.substring(0, MAX_UNKNOWN) + "..." : json);
        }
    }

    /** "1 validation", "3 validations" (none for a missing array). */
    private static String count(double[] values, String what) {
        int n = values == null ? 0 : values.length;
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /** The status bar text for an iteration event. */
    static String status(Map<String, Object> event) {
        return "SegTrain: iteration " + progress(event)
                + String.format(Locale.ROOT, " loss %.4f ETA %s",
                        Events.num(event, "loss", Double.NaN), duration(Events.num(event, "eta_s", Double.NaN)));
    }

    private static String progress(Map<String, Object> event) {
        return Events.integer(event, "iteration", 0) + "/" + Events.integer(event, "total", 0);
    }

    /** Fixed five decimals as usual for learning rates, scientific below that so it never shows 0.00000. */
    static String learningRate(double lr) {
        if (Double.isNaN(lr)) return "?";
        if (lr != 0 && Math.abs(lr) < 1e-4) return String.format(Locale.ROOT, "%.2e", lr);
        return String.format(Locale.ROOT, "%.5f", lr);
    }

    /** "0m41s", "12m05s", "1h02m03s"; "?" when unknown. */
    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds < 0) return "?";
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
        return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
