package segtrain.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON that the native side returns: event arrays from {@link Native#jobPoll}, result
 * objects from {@link Native#jobFinish} and config objects. Lenient accessors with defaults, because
 * an older or newer library may add or omit keys; a missing key must not break a training run.
 */
public final class Events {
    private Events() {}

    /** A JSON array of objects, e.g. jobPoll's events. Null or empty text gives an empty list. */
    public static List<Map<String, Object>> parseArray(String json) {
        List<Map<String, Object>> events = new ArrayList<>();
        if (json == null || json.trim().isEmpty()) return events;
        Object parsed = Json.parse(json);
        if (!(parsed instanceof List)) throw new IllegalArgumentException("expected a JSON array: " + json);
        for (Object item : (List<?>) parsed) {
            events.add(asObject(item, json));
        }
        return events;
    }

    /** A JSON object, e.g. jobFinish's result or a config. */
    public static Map<String, Object> parseObject(String json) {
        return asObject(Json.parse(json), json);
    }

    /** A JSON array of strings, e.g. configNames(). */
    public static List<String> parseStrings(String json) {
        Object parsed = Json.parse(json);
        if (!(parsed instanceof List)) throw new IllegalArgumentException("expected a JSON array: " + json);
        List<String> strings = new ArrayList<>();
        for (Object item : (List<?>) parsed) strings.add(String.valueOf(item));
        return strings;
    }

    /** The event's "kind", or "" when it has none. */
    public static String kind(Map<String, Object> event) {
        return str(event, "kind", "");
    }

    public static String str(Map<String, Object> object, String key, String fallback) {
        Object value = object.get(key);
        return value == null ? fallback : value.toString();
    }

    public static double num(Map<String, Object> object, String key, double fallback) {
        Object value = object.get(key);
        return value instanceof Number ? ((Number) value).doubleValue() : fallback;
    }

    public static long integer(Map<String, Object> object, String key, long fallback) {
        Object value = object.get(key);
        return value instanceof Number ? Math.round(((Number) value).doubleValue()) : fallback;
    }

    /** A numeric array such as "voxel_nm" or "window", or null when absent or not numeric. */
    public static double[] numbers(Map<String, Object> object, String key) {
        Object value = object.get(key);
        if (!(value instanceof List)) return null;
        List<?> list = (List<?>) value;
        double[] numbers = new double[list.size()];
        for (int i = 0; i < numbers.length; i++) {
            if (!(list.get(i) instanceof Number)) return null;
            numbers[i] = ((Number) list.get(i)).doubleValue();
        }
        return numbers;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value, String json) {
        if (!(value instanceof Map)) throw new IllegalArgumentException("expected a JSON object: " + json);
        return (Map<String, Object>) value;
    }
}
