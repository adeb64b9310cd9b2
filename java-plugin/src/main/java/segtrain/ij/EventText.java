package segtrain.ij;

import segtrain.bridge.Events;
import segtrain.bridge.Json;

import java.util.Map;

/** The Log and status bar text of the native events (their words are the native library's own "line"). */
final class EventText {
    private EventText() {}

    /** Characters of an unknown event shown in the Log. */
    static final int MAX_UNKNOWN = 200;

    /**
     * The Log line for an event: the native library's own words (its "line"), e.g.
     * "SegTrain [m] iteration 120/300  loss 0.4123  lr 0.00100  ETA 0m41s". An event without one
     * (a library of another build) is shown as its JSON, cut short.
     */
    static String logLine(String name, Map<String, Object> event) {
        String prefix = "SegTrain [" + name + "] ";
        Object line = event.get("line");
        if (line instanceof String) return prefix + line;
        String json = Json.write(event);
        return prefix + "event " + (json.length() > MAX_UNKNOWN ? json.substring(0, MAX_UNKNOWN) + "..." : json);
    }

    /** The status bar text for an event: its line. */
    static String status(Map<String, Object> event) {
        Object line = event.get("line");
        return "SegTrain: " + (line instanceof String ? line : Events.kind(event));
    }
}
