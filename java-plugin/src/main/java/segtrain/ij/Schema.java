package segtrain.ij;

import segtrain.bridge.Events;
import segtrain.bridge.Json;
import segtrain.bridge.Native;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A command's settings as the native library publishes them (Rust's settings::schema): the one
 * source of every key, default, range, label and help text that a dialog shows. Java keeps no
 * copy of them.
 */
final class Schema {
    /** Field kinds with a meaning of their own in a dialog (the others are plain values). */
    static final String IMAGE = "image";
    static final String LABELS = "labels";
    static final String MODEL = "model";
    static final String FOLDER = "folder";
    static final String CHOICE = "choice";
    static final String NUMBER = "number";
    static final String BOOLEAN = "boolean";

    final String command;
    final String title;
    final String intro;
    final String footer;
    final List<Field> fields;
    /** Whether the settings carry the image's calibration (the native side reads its voxel size from it). */
    final boolean takesCalibration;

    private Schema(String command, Map<String, Object> json) {
        this.command = command;
        this.title = Events.str(json, "title", command);
        this.intro = Events.str(json, "intro", "");
        this.footer = Events.str(json, "footer", "");
        List<Field> list = new ArrayList<>();
        Object raw = json.get("fields");
        if (raw instanceof List) {
            for (Object f : (List<?>) raw) {
                if (f instanceof Map) list.add(new Field(cast(f)));
            }
        }
        this.fields = Collections.unmodifiableList(list);
        this.takesCalibration = Boolean.TRUE.equals(json.get("takes_calibration"));
    }

    /** The schema of {@code command} given what its defaults depend on (may be empty). */
    static Schema of(String command, Map<String, Object> context) {
        return new Schema(command, Events.parseObject(Native.schema(command, Json.write(context))));
    }

    /** The first field of a kind, or null. */
    Field first(String kind) {
        for (Field f : fields) if (f.kind.equals(kind)) return f;
        return null;
    }

    Field field(String key) {
        for (Field f : fields) if (f.key.equals(key)) return f;
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    /** One setting. */
    static final class Field {
        final String key;
        final String kind;
        final String label;
        final String unit;
        final String group;
        /** Null when the field has no default (empty). */
        final Object defaultValue;
        final boolean whole;
        final double min;
        final double max;
        final List<String> choices;
        final boolean optional;
        final String help;
        final boolean remember;
        final boolean applies;
        final boolean dialog;
        final boolean nativeSetting;

        Field(Map<String, Object> json) {
            key = Events.str(json, "key", "?");
            kind = Events.str(json, "kind", "text");
            label = Events.str(json, "label", "");
            unit = Events.str(json, "unit", "");
            group = Events.str(json, "group", "");
            defaultValue = json.get("default");
            whole = Boolean.TRUE.equals(json.get("whole"));
            min = Events.num(json, "min", Double.NEGATIVE_INFINITY);
            max = Events.num(json, "max", Double.POSITIVE_INFINITY);
            List<String> c = new ArrayList<>();
            Object raw = json.get("choices");
            if (raw instanceof List) for (Object o : (List<?>) raw) c.add(String.valueOf(o));
            choices = Collections.unmodifiableList(c);
            optional = Boolean.TRUE.equals(json.get("optional"));
            help = Events.str(json, "help", "");
            remember = !Boolean.FALSE.equals(json.get("remember"));
            applies = !Boolean.FALSE.equals(json.get("applies"));
            dialog = !Boolean.FALSE.equals(json.get("dialog"));
            nativeSetting = !Boolean.FALSE.equals(json.get("native"));
        }

        /** The dialog label: the key (the macro key: ImageJ shows its underscores as spaces) and plain words. */
        String dialogLabel() {
            return label.isEmpty() ? key : key + " " + label;
        }

        /** The default as a dialog's text ("" for none). */
        String defaultText() {
            return text(defaultValue);
        }

        static String text(Object value) {
            if (value == null) return "";
            if (value instanceof Double && (Double) value == Math.rint((Double) value) && Math.abs((Double) value) < 1e15) {
                return String.valueOf(((Double) value).longValue());
            }
            return String.valueOf(value);
        }

        /** A number shown in a numeric field: the default, or NaN for none. */
        double defaultNumber() {
            return defaultValue instanceof Number ? ((Number) defaultValue).doubleValue() : Double.NaN;
        }

        /** Numbers typed in a numeric field (not optional ones, which are text: empty = not given). */
        boolean numeric() {
            return kind.equals(NUMBER) && !optional;
        }
    }
}
