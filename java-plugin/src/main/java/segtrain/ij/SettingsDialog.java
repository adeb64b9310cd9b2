package segtrain.ij;

import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.gui.MultiLineLabel;
import ij.measure.Calibration;

import java.awt.AWTEvent;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Label;
import java.awt.Color;
import java.awt.Component;
import java.awt.Font;
import java.awt.TextField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A command's dialog, built from its Rust-owned {@link Schema}: grouped fields with the key as the
 * first word of each label (so every field is a macro key), plain words after it, the command's
 * help page, last-used values remembered in ImageJ's preferences, a "Restore defaults" button,
 * fields that do not apply disabled, and defaults that follow the chosen config, image or model.
 * After a refused setting {@link #run} opens the dialog again with the typed values and the
 * message on top. Java checks only what it must to write JSON (a number field holds a number);
 * ranges and meanings are the native library's.
 */
final class SettingsDialog {
    /** Starts a command's work from the values; a refused setting throws IllegalArgumentException. */
    interface Starter {
        Follower start(Values values) throws Exception;
    }

    /** Follows started work to its end (its failures are reported, not answered with the dialog). */
    interface Follower {
        void follow() throws Exception;
    }

    /** What the person chose. */
    static final class Values {
        /** The settings for the native library, by key (fields that apply and are its own). */
        final Map<String, Object> settings = new LinkedHashMap<>();
        /** The chosen images, by key. */
        final Map<String, ImagePlus> images = new LinkedHashMap<>();
        /** Every field's value by key, as typed (for reopening, Prefs and dialog-only settings). */
        final Map<String, Object> typed = new LinkedHashMap<>();
        Schema schema;

        /** The image of the first field of {@code kind} (image, labels). */
        ImagePlus image(String kind) {
            Schema.Field f = schema.first(kind);
            return f == null ? null : images.get(f.key);
        }

        /** The text of the first field of {@code kind} (e.g. the chosen model), or "". */
        String text(String kind) {
            Schema.Field f = schema.first(kind);
            return f == null ? "" : String.valueOf(typed.get(f.key)).trim();
        }
    }

    private static final String PREFS = "segtrain.";

    private final String command;
    private final OpenImages images;
    private final String options;
    private final Map<String, Object> reopened;
    private final String message;
    private Schema schema;
    private GenericDialog gd;
    /** The components in field order (null for fields not shown). */
    private final List<Component> components = new ArrayList<>();
    private final List<Schema.Field> shown = new ArrayList<>();
    /** The model choice's entries (commands with a model field). */
    private List<String> models = new ArrayList<>();
    /** What the models list says of each model, shown under the model choice. */
    private Map<String, String> modelLines = new LinkedHashMap<>();
    private Component modelLine;

    /** @param schema the command's schema without context: the fields, before the chosen values refine the defaults */
    private SettingsDialog(Schema schema, OpenImages images, Map<String, Object> reopened, String message) {
        this.command = schema.command;
        this.schema = schema;
        this.images = images;
        this.options = Macro.getOptions();
        this.reopened = reopened;
        this.message = message;
    }

    /**
     * Shows the command's dialog (in a macro: reads the options) and starts the work; a refused
     * setting reopens the dialog interactively (from a macro it is reported and aborts the macro).
     *
     * @param noImages the message when the command needs open images and there are none
     */
    static void run(String command, String noImages, Starter starter) throws Exception {
        Map<String, Object> typed = null;
        String message = null;
        while (true) {
            Schema first = Schema.of(command, new LinkedHashMap<>());
            boolean needsImages = first.first(Schema.IMAGE) != null || first.first(Schema.LABELS) != null;
            OpenImages images = needsImages ? OpenImages.list(noImages) : null;
            SettingsDialog dialog = new SettingsDialog(first, images, typed, message);
            Values values = dialog.show();
            if (values == null) return;
            Follower follower;
            try {
                follower = starter.start(values);
            } catch (IllegalArgumentException refused) {
                // The dialog was shown (a person, or a macro without options): show it again.
                if (dialog.options != null) throw refused;
                typed = values.typed;
                message = Errors.message(refused);
                continue;
            }
            if (follower != null) follower.follow();
            return;
        }
    }

    private Values show() {
        Map<String, Object> initial = initialValues();
        schema = Schema.of(command, context(initial));
        initial = initialValues(); // the defaults of the chosen config or model
        gd = new GenericDialog("SegTrain: " + schema.title);
        if (message != null) gd.addMessage(message, null, Color.RED);
        String group = null;
        for (Schema.Field f : schema.fields) {
            if (!f.dialog) continue;
            if (!f.group.equals(group)) {
                group = f.group;
                gd.setInsets(10, 0, 0);
                gd.addMessage(heading(group), new Font("SansSerif", Font.BOLD, 12));
            }
            add(f, initial.get(f.key));
        }
        gd.addHelp(Help.html(schema));
        if (options == null) {
            gd.addButton("Restore defaults", e -> restoreDefaults());
            gd.addDialogListener((dialog, e) -> changed(e));
        }
        applyEnabled();
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        Values values = read();
        if (options == null) remember(values);
        return values;
    }

    /** Starting values: reopened > (interactive) remembered > schema default; a macro's own options win in GenericDialog. */
    private Map<String, Object> initialValues() {
        Map<String, Object> values = new LinkedHashMap<>();
        Schema s = schema;
        for (Schema.Field f : s.fields) {
            Object value = f.defaultValue;
            if (f.kind.equals(Schema.IMAGE)) value = images.titles[defaultImage()];
            if (f.kind.equals(Schema.LABELS)) value = images.titles[defaultLabels(s, f, values)];
            if (options != null) {
                if (f.kind.equals(Schema.IMAGE) || f.kind.equals(Schema.LABELS)) {
                    value = images.titles[images.fromMacro(options, f.key, images.indexOf(String.valueOf(value)))];
                } else if (f.kind.equals(Schema.CHOICE) || f.kind.equals(Schema.FOLDER)) {
                    value = Macro.getValue(options, f.key, Schema.Field.text(value));
                }
            } else if (f.remember && reopened == null) {
                String remembered = Prefs.get(PREFS + command + "." + f.key, null);
                if (remembered != null && (f.choices.isEmpty() || f.choices.contains(remembered))) value = remembered;
            }
            if (reopened != null && reopened.containsKey(f.key)) value = reopened.get(f.key);
            values.put(f.key, value);
        }
        Schema.Field model = s.first(Schema.MODEL);
        if (model != null) {
            Schema.Field folder = s.first(Schema.FOLDER);
            ModelFolder.Pick pick = ModelFolder.pick(options, model.key, folder.key, String.valueOf(values.get(folder.key)));
            Object wanted = values.get(model.key);
            values.put(model.key, wanted != null && pick.names.contains(String.valueOf(wanted)) ? wanted : pick.model);
            values.put(folder.key, pick.folder);
            models = pick.names;
            modelLines = pick.lines;
        }
        return values;
    }

    private int indexOf(Map<String, Object> values, Schema.Field f) {
        if (f == null) return 0;
        return Math.max(0, images.indexOf(String.valueOf(values.get(f.key))));
    }

    /** The current image unless its title says "label", else the first whose title does not. */
    private int defaultImage() {
        int current = images.current();
        if (!isLabelTitle(images.titles[current])) return current;
        for (int i = 0; i < images.titles.length; i++) if (!isLabelTitle(images.titles[i])) return i;
        return current;
    }

    /**
     * Label images: beside an image field, another image whose title says "label"; without one
     * (Evaluate's segmentation and truth), the current image or one titled "...-labels" (Auto
     * Label's output) first, and then another label image.
     */
    private int defaultLabels(Schema s, Schema.Field f, Map<String, Object> values) {
        Schema.Field image = s.first(Schema.IMAGE);
        if (image != null) return images.other(indexOf(values, image), "label");
        Schema.Field first = s.first(Schema.LABELS);
        if (first == f) {
            int current = images.current();
            if (images.titles[current].endsWith("-labels")) return current;
            for (int i = 0; i < images.titles.length; i++) if (images.titles[i].endsWith("-labels")) return i;
            return current;
        }
        return images.other(indexOf(values, first), "label");
    }

    private static boolean isLabelTitle(String title) {
        return title.toLowerCase(Locale.ROOT).contains("label");
    }

    /** What the defaults depend on: the values of the choices and folder, and the image's calibration. */
    private Map<String, Object> context(Map<String, Object> values) {
        Map<String, Object> context = new LinkedHashMap<>();
        for (Schema.Field f : schema.fields) {
            Object v = values.get(f.key);
            if (v == null) continue;
            if (f.kind.equals(Schema.CHOICE) || f.kind.equals(Schema.MODEL) || f.kind.equals(Schema.FOLDER)) {
                context.put(f.key, String.valueOf(v));
            } else if (f.kind.equals(Schema.IMAGE) && images != null) {
                int index = images.indexOf(String.valueOf(v));
                if (index >= 0) context.put("calibration", calibration(images.get(index)));
            }
        }
        return context;
    }

    /** ImageJ's calibration as it is; the native library decides what its unit means. */
    static Map<String, Object> calibration(ImagePlus image) {
        Calibration cal = image.getCalibration();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("unit", cal.getUnit() == null ? "" : cal.getUnit());
        c.put("x", cal.pixelWidth);
        c.put("y", cal.pixelHeight);
        c.put("z", cal.pixelDepth);
        return c;
    }

    private void add(Schema.Field f, Object value) {
        String label = f.dialogLabel();
        switch (f.kind) {
            case Schema.IMAGE:
            case Schema.LABELS:
                gd.addChoice(label, images.titles, String.valueOf(value));
                components.add(last(gd.getChoices()));
                break;
            case Schema.MODEL:
                gd.addChoice(label, models.toArray(new String[0]), String.valueOf(value));
                components.add(last(gd.getChoices()));
                // The choice stays the bare name (what a macro records); what it is goes below.
                gd.addMessage(modelText(String.valueOf(value)), new Font("SansSerif", Font.PLAIN, 11));
                modelLine = gd.getMessage();
                break;
            case Schema.CHOICE:
                gd.addChoice(label, f.choices.toArray(new String[0]), Schema.Field.text(value));
                components.add(last(gd.getChoices()));
                break;
            case Schema.BOOLEAN:
                gd.addCheckbox(label, Boolean.parseBoolean(Schema.Field.text(value)));
                components.add(last(gd.getCheckboxes()));
                break;
            default:
                if (f.numeric()) {
                    double number = toNumber(value, f.defaultNumber());
                    gd.addNumericField(label, number, f.whole ? 0 : digits(number), 8, f.unit);
                    components.add(last(gd.getNumericFields()));
                } else {
                    gd.addStringField(label, Schema.Field.text(value), f.kind.equals(Schema.FOLDER) ? 30 : 14);
                    components.add(last(gd.getStringFields()));
                }
        }
        shown.add(f);
    }

    private static Component last(List<?> list) {
        return (Component) list.get(list.size() - 1);
    }

    private static double toNumber(Object value, double fallback) {
        if (value instanceof Number) return ((Number) value).doubleValue();
        try {
            return Double.parseDouble(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * Interactive only: a changed choice or folder may change the defaults (config, image
     * calibration, model): fields whose default changed take the new one, and fields that no
     * longer apply are disabled. ImageJ's final call on OK (no event) records every field.
     */
    private boolean changed(AWTEvent e) {
        if (e == null) return Recording.recordAllFields(gd);
        Object source = e.getSource();
        if (!(source instanceof Choice) && !(source instanceof TextField && kindOf((Component) source).equals(Schema.FOLDER))) {
            return true;
        }
        if (kindOf((Component) source).equals(Schema.FOLDER)) refreshModels();
        if (kindOf((Component) source).equals(Schema.MODEL) || kindOf((Component) source).equals(Schema.FOLDER)) showModelLine();
        Schema before = schema;
        schema = Schema.of(command, context(current()));
        for (int i = 0; i < shown.size(); i++) {
            Schema.Field old = before.field(shown.get(i).key);
            Schema.Field now = schema.field(shown.get(i).key);
            if (now == null || old == null || components.get(i) == source) continue;
            if (!Schema.Field.text(now.defaultValue).equals(Schema.Field.text(old.defaultValue))) set(i, now.defaultValue);
        }
        applyEnabled();
        return true;
    }

    private String kindOf(Component c) {
        int i = components.indexOf(c);
        return i < 0 ? "" : shown.get(i).kind;
    }

    private void refreshModels() {
        int folder = indexOfKind(Schema.FOLDER);
        int model = indexOfKind(Schema.MODEL);
        if (folder < 0 || model < 0) return;
        try {
            modelLines = ModelFolder.lines(((TextField) components.get(folder)).getText());
        } catch (RuntimeException unreadable) {
            modelLines = new LinkedHashMap<>();
        }
        List<String> names = ModelFolder.choices(modelLines);
        Choice choice = (Choice) components.get(model);
        String selected = choice.getSelectedItem();
        choice.removeAll();
        for (String n : names) choice.add(n);
        if (names.contains(selected)) choice.select(selected);
    }

    /** The models list's line for the chosen model, under the model choice. */
    private void showModelLine() {
        int model = indexOfKind(Schema.MODEL);
        if (model < 0 || modelLine == null) return;
        String text = modelText(((Choice) components.get(model)).getSelectedItem());
        if (modelLine instanceof Label) ((Label) modelLine).setText(text);
        else if (modelLine instanceof MultiLineLabel) ((MultiLineLabel) modelLine).setText(text);
        gd.pack();
    }

    private String modelText(String model) {
        String line = modelLines.get(model);
        return line == null || line.isEmpty() ? " " : line;
    }

    private int indexOfKind(String kind) {
        for (int i = 0; i < shown.size(); i++) if (shown.get(i).kind.equals(kind)) return i;
        return -1;
    }

    /** Every field's current value, by key. */
    private Map<String, Object> current() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < shown.size(); i++) {
            Component c = components.get(i);
            Object v = c instanceof Choice ? ((Choice) c).getSelectedItem()
                    : c instanceof Checkbox ? (Object) ((Checkbox) c).getState() : ((TextField) c).getText();
            values.put(shown.get(i).key, v);
        }
        return values;
    }

    private void set(int i, Object value) {
        Component c = components.get(i);
        Schema.Field f = shown.get(i);
        if (c instanceof Choice) {
            ((Choice) c).select(Schema.Field.text(value));
        } else if (c instanceof Checkbox) {
            ((Checkbox) c).setState(Boolean.parseBoolean(Schema.Field.text(value)));
        } else if (f.numeric() && value instanceof Number) {
            double d = ((Number) value).doubleValue();
            ((TextField) c).setText(format(d, f.whole ? 0 : digits(d)));
        } else {
            ((TextField) c).setText(Schema.Field.text(value));
        }
    }

    /** Every field (but the images and the model) back to the default of the current choices. */
    private void restoreDefaults() {
        schema = Schema.of(command, context(current()));
        for (int i = 0; i < shown.size(); i++) {
            Schema.Field f = schema.field(shown.get(i).key);
            if (f == null || f.kind.equals(Schema.IMAGE) || f.kind.equals(Schema.LABELS) || f.kind.equals(Schema.MODEL)) continue;
            set(i, f.defaultValue);
        }
        applyEnabled();
    }

    private void applyEnabled() {
        for (int i = 0; i < shown.size(); i++) {
            Schema.Field f = schema.field(shown.get(i).key);
            components.get(i).setEnabled(f == null || f.applies);
        }
    }

    /** Reads the fields in the order they were added (GenericDialog's contract). */
    private Values read() {
        Values values = new Values();
        for (Schema.Field f : shown) {
            Object value;
            switch (f.kind) {
                case Schema.IMAGE:
                case Schema.LABELS:
                    ImagePlus image = images.get(gd.getNextChoiceIndex());
                    values.images.put(f.key, image);
                    value = image.getTitle();
                    break;
                case Schema.MODEL:
                case Schema.CHOICE:
                    value = gd.getNextChoice();
                    break;
                case Schema.BOOLEAN:
                    value = gd.getNextBoolean();
                    break;
                default:
                    if (f.numeric()) {
                        double number = gd.getNextNumber();
                        if (gd.invalidNumber() || Double.isNaN(number) || Double.isInfinite(number)) {
                            values.typed.put(f.key, "");
                            throw new Refused(f.key + ": a number is required", values.typed);
                        }
                        value = json(number);
                    } else {
                        value = gd.getNextString().trim();
                    }
            }
            values.typed.put(f.key, value);
        }
        // The schema of the final choices says which fields apply.
        schema = Schema.of(command, context(values.typed));
        values.schema = schema;
        for (Schema.Field f : schema.fields) {
            if (!f.dialog || !f.nativeSetting || !f.applies || !values.typed.containsKey(f.key)) continue;
            if (f.kind.equals(Schema.IMAGE) || f.kind.equals(Schema.LABELS)) continue;
            Object value = values.typed.get(f.key);
            if (value instanceof String && ((String) value).isEmpty()) continue; // not given: the default decides
            values.settings.put(f.key, value);
        }
        ImagePlus image = values.image(Schema.IMAGE);
        if (image != null && schema.takesCalibration) values.settings.put("calibration", calibration(image));
        return values;
    }

    /** A value Java cannot write as JSON: reported like a refused setting (the dialog reopens). */
    static final class Refused extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        /** The values read before the refused one (the dialog reopens with them). */
        final transient Map<String, Object> typed;

        Refused(String message, Map<String, Object> typed) {
            super(message);
            this.typed = typed;
        }
    }

    private void remember(Values values) {
        for (Schema.Field f : schema.fields) {
            if (f.remember && values.typed.containsKey(f.key)) {
                Prefs.set(PREFS + command + "." + f.key, Schema.Field.text(values.typed.get(f.key)));
            }
        }
    }

    private static String heading(String group) {
        String words = group.replace('_', ' ');
        return words.isEmpty() ? "" : Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** Whole numbers go to JSON as integers, so Rust's integer fields accept them. */
    static Object json(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) return (long) value;
        return value;
    }

    /** Fewest decimals (up to 9) that show the value exactly, so 0.00005 is not shown as 0.0001. */
    static int digits(double value) {
        for (int d = 0; d < 9; d++) {
            double scaled = value * Math.pow(10, d);
            if (Math.abs(scaled - Math.rint(scaled)) < 1e-9 * Math.max(1, Math.abs(scaled))) return d;
        }
        return 9;
    }

    private static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
