package segtrain.ij;

import ij.IJ;
import ij.plugin.PlugIn;
import segtrain.api.Configs;
import segtrain.bridge.Native;
import segtrain.bridge.NativeLoader;

/** Plugins>SegTrain>About SegTrain: native library version and the default models folder. */
public class About implements PlugIn {
    @Override
    public void run(String arg) {
        String text;
        try {
            NativeLoader.load();
            text = "SegTrain " + Native.version()
                    + "\nConfigs: " + String.join(", ", Configs.names())
                    + "\nDefault models folder: " + Configs.defaultModelsDir();
        } catch (Throwable t) {
            Errors.report(t);
            return;
        }
        // From a macro (and in -batch mode) a message box would wait for a click: log instead.
        if (Errors.fromMacro()) IJ.log(text);
        else IJ.showMessage("About SegTrain", text);
    }
}
