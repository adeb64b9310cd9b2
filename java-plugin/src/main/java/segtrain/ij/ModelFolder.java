package segtrain.ij;

import ij.Macro;
import segtrain.api.Configs;
import segtrain.bridge.Events;
import segtrain.bridge.Native;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The stored models of a models folder, for the dialogs that pick one (Auto Label, Resume Training). */
final class ModelFolder {
    /** The model choice's only entry when the folder has none. */
    static final String NO_MODELS = "(no models in this folder)";

    private ModelFolder() {}

    /** A dialog's starting point: the folder, the model to preselect, and the folder's models. */
    static final class Pick {
        final String folder;
        final String model;
        final List<String> names;
        /** What the list says of each model (config, status, iterations, best score, date). */
        final Map<String, String> lines;

        private Pick(String folder, String model, Map<String, String> lines) {
            this.folder = folder;
            this.model = model;
            this.lines = lines;
            this.names = choices(lines);
        }
    }

    /**
     * What a dialog offers. In a macro the choices must come from the folder the macro names, so
     * the folder and model keys are read from the options first, and checked here: GenericDialog's
     * own check of a choice opens a dialog (which waits forever under a virtual display), while
     * this says which model is missing and which ones there are. Interactively an empty folder
     * gives the single choice NO_MODELS (another folder may be typed in).
     *
     * @param modelKey, folderKey the keys of the model and models folder fields (from the schema)
     * @param folder the folder to list when the options do not name one
     */
    static Pick pick(String options, String modelKey, String folderKey, String folder) {
        if (folder == null || folder.trim().isEmpty() || folder.equals("null")) folder = Configs.defaultModelsDir();
        String model = null;
        if (options != null) {
            folder = Macro.getValue(options, folderKey, folder);
            model = Macro.getValue(options, modelKey, null);
        }
        List<Map<String, Object>> models = models(folder); // read once: each listing reads every model.json
        if (model != null) check(model, folder, models);
        Map<String, String> lines = usable(models);
        if (lines.isEmpty() && options != null) check("", folder, models); // says that the folder has no models
        return new Pick(folder, model == null ? choices(lines).get(0) : model, lines);
    }

    /** The folder itself: an empty name means the default models folder. */
    static String dir(String folder) {
        return folder == null || folder.trim().isEmpty() ? Configs.defaultModelsDir() : folder.trim();
    }

    /**
     * The usable stored models of the folder (broken ones are not offered), by name, each with
     * the native library's line about it.
     */
    static Map<String, String> lines(String folder) {
        return usable(models(folder));
    }

    /** What a model choice offers: the models' names, or NO_MODELS alone. */
    static List<String> choices(Map<String, String> lines) {
        List<String> names = new ArrayList<>(lines.keySet());
        if (names.isEmpty()) names.add(NO_MODELS);
        return names;
    }

    private static Map<String, String> usable(List<Map<String, Object>> models) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (Map<String, Object> model : models) {
            if (!model.containsKey("problem")) lines.put(Events.str(model, "name", "?"), Events.str(model, "line", ""));
        }
        return lines;
    }

    /**
     * A clear message naming the folder when the model is not there (or the folder has none), or
     * the native side's reason when it is there but cannot be used.
     */
    static void check(String model, String folder) {
        check(model, folder, models(folder));
    }

    private static void check(String model, String folder, List<Map<String, Object>> models) {
        List<String> names = new ArrayList<>(usable(models).keySet());
        if (names.contains(model)) return;
        for (Map<String, Object> m : models) {
            if (Events.str(m, "name", "").equals(model)) {
                throw new IllegalArgumentException("model: '" + model + "' cannot be used: " + Events.str(m, "problem", "?"));
            }
        }
        String dir = dir(folder);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("models_folder: there are no models in " + dir + "; train one "
                    + "with Plugins>SegTrain>Train Model..., or give the folder that holds yours");
        }
        if (model.isEmpty() || model.equals(NO_MODELS)) {
            throw new IllegalArgumentException("model: no model chosen; the models in " + dir + " are: "
                    + String.join(", ", names));
        }
        throw new IllegalArgumentException("model: there is no model called '" + model + "' in " + dir
                + "; its models are: " + String.join(", ", names));
    }

    /** The models list of the native library (name, config, status, iterations, path, postprocess, line, ...). */
    private static List<Map<String, Object>> models(String folder) {
        return Events.parseArray(Native.listModels(dir(folder)));
    }
}
