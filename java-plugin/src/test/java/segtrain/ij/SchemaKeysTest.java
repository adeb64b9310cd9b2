package segtrain.ij;

import org.junit.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * One vocabulary, owned by Rust: the dialogs' keys come from the native schema, and no Java
 * source of the Fiji commands (segtrain.ij) repeats one as a literal, except Keys (the two keys
 * Java acts on, checked here to exist) and Schema's names of field kinds. Reading a native result
 * or event (Events.str/num/integer(object, "field"), event.get("field")) is not a setting and is
 * allowed.
 */
public class SchemaKeysTest {
    static final String[] COMMANDS = {"train", "resume", "auto_label", "tune", "evaluate", "demo_data", "labels_from_rois"};
    private static final Pattern LITERAL = Pattern.compile("\"([a-z0-9_]+)\"");
    private static final Pattern RESULT_READ =
            Pattern.compile("(Events\\.(str|num|integer|numbers)\\(\\w+, |\\b(event|result)\\.(get|containsKey)\\()\"[a-z0-9_]+\"");

    private static Set<String> allKeys() {
        Set<String> keys = new TreeSet<>();
        for (String command : COMMANDS) {
            for (Schema.Field f : Schema.of(command, new LinkedHashMap<>()).fields) keys.add(f.key);
        }
        return keys;
    }

    @Test
    public void noJavaLiteralRepeatsASettingKey() throws IOException {
        Set<String> keys = allKeys();
        assertTrue(keys.toString(), keys.contains("window_size") && keys.contains("base_lr"));
        Path sources = Paths.get(System.getProperty("user.dir")).resolve("src/main/java/segtrain/ij");
        if (!Files.isDirectory(sources)) sources = Paths.get("java-plugin/src/main/java/segtrain/ij");
        List<String> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.list(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
        assertTrue("no sources under " + sources, files.size() > 10);
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.equals("Keys.java")) continue;
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            boolean resultColumns = false;
            for (int i = 0; i < lines.size(); i++) {
                // Evaluate's table columns are the native report's field names (e.g. "precision"
                // of a segmentation), read like any result, not settings.
                if (lines.get(i).contains("INSTANCE_COLUMNS = {")) resultColumns = true;
                if (resultColumns) {
                    if (lines.get(i).contains("};")) resultColumns = false;
                    continue;
                }
                String line = RESULT_READ.matcher(lines.get(i)).replaceAll("");
                String trimmed = line.trim();
                if (trimmed.startsWith("*") || trimmed.startsWith("//") || trimmed.startsWith("/*")) continue;
                Matcher m = LITERAL.matcher(line);
                while (m.find()) {
                    String literal = m.group(1);
                    boolean kindName = name.equals("Schema.java") && trimmed.startsWith("static final String");
                    if (keys.contains(literal) && !kindName) found.add(name + ":" + (i + 1) + " \"" + literal + "\"");
                }
            }
        }
        assertEquals("Java literals that repeat a setting key of the Rust schema (use the schema or Keys): " + found,
                0, found.size());
    }

    @Test
    public void theKeysJavaActsOnExistInTheSchema() {
        Schema train = Schema.of("train", new LinkedHashMap<>());
        assertNotNull("train has no " + Keys.MODEL_NAME, train.field(Keys.MODEL_NAME));
        Schema.Field rois = Schema.of("auto_label", new LinkedHashMap<>()).field(Keys.ROIS);
        assertNotNull("auto_label has no " + Keys.ROIS, rois);
        assertFalse("rois is Fiji's own setting", rois.nativeSetting);
    }

    @Test
    public void defaultsFollowTheConfigAndTheCalibration() {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("config", "Instance3D");
        Map<String, Object> calibration = new LinkedHashMap<>();
        calibration.put("unit", "micrometers");
        calibration.put("x", 0.004);
        calibration.put("y", 0.004);
        calibration.put("z", 0.045);
        context.put("calibration", calibration);
        Schema schema = Schema.of("train", context);
        Schema.Field x = schema.field("x_nm");
        assertEquals(4.0, x.defaultNumber(), 1e-9);
        assertEquals(45.0, schema.field("z_nm").defaultNumber(), 1e-9);
        assertEquals("Instance3D", schema.field("config").defaultText());
        assertFalse("3D config windows have depth", schema.field("window_size").defaultText().startsWith("1,"));
        assertTrue(schema.field("base_lr").label, schema.field("base_lr").label.contains("learning rate"));
    }

    @Test
    public void helpListsEveryDialogField() {
        Schema schema = Schema.of("auto_label", new LinkedHashMap<>());
        String html = Help.html(schema);
        for (Schema.Field f : schema.fields) {
            if (f.dialog) assertTrue(f.key, html.contains("<b>" + f.key.replace('_', ' ') + "</b>"));
        }
    }
}
