package segtrain.ij;

import ij.IJ;
import ij.plugin.PlugIn;
import segtrain.api.Configs;
import segtrain.bridge.Json;
import segtrain.bridge.Native;
import segtrain.bridge.NativeLoader;

import java.util.Map;

/**
 * Plugins>SegTrain>About SegTrain: versions, which libtorch was loaded from where, the CUDA devices
 * seen (or why none), the models folder and where the documentation is.
 */
public class About implements PlugIn {
    /** Where the package puts its documentation, relative to Fiji.app. */
    static final String DOCUMENTATION = "SegTrain/README.md";

    @Override
    public void run(String arg) {
        String text;
        try {
            NativeLoader.load();
            @SuppressWarnings("unchecked")
            Map<String, Object> info = (Map<String, Object>) Json.parse(Native.runtimeInfo());
            Object note = info.get("cuda_note");
            text = "SegTrain " + info.get("segtrain") + " (plugin " + NativeLoader.jarVersion() + ")"
                    + "\nlibtorch " + info.get("libtorch") + ", " + info.get("flavour") + " build, loaded from "
                    + info.get("libtorch_folder") + "\n    found as: " + NativeLoader.libtorchSource()
                    + "\nCUDA devices: " + (note == null ? info.get("cuda_devices") : "none (" + note + ")")
                    + "\nConfigs: " + String.join(", ", Configs.names())
                    + "\nDefault models folder: " + Configs.defaultModelsDir()
                    + "\nDocumentation: " + documentation();
        } catch (Throwable t) {
            Errors.report(t);
            return;
        }
        // From a macro (and in -batch mode) a message box would wait for a click: log instead.
        if (Errors.fromMacro()) IJ.log(text);
        else IJ.showMessage("About SegTrain", text);
    }

    /** The package's README beside Fiji's plugins folder, or where to find it. */
    private static String documentation() {
        String plugins = IJ.getDirectory("plugins");
        java.io.File readme = plugins == null ? null : new java.io.File(new java.io.File(plugins).getParentFile(), DOCUMENTATION);
        return readme != null && readme.isFile() ? readme.getPath() : DOCUMENTATION + " in the SegTrain package";
    }
}
