package segtrain.ij;

import ij.ImagePlus;
import ij.plugin.PlugIn;
import segtrain.api.DemoData;
import segtrain.bridge.Json;

/** Plugins>SegTrain>Create Demo Data: shows the generated demo image and label stacks (the "demo_data" schema's dialog). */
public class CreateDemoData implements PlugIn {
    @Override
    public void run(String arg) {
        Errors.command(() -> SettingsDialog.run("demo_data", "", values -> {
            ImagePlus[] stacks = DemoData.create(Json.write(values.settings));
            return () -> {
                for (ImagePlus imp : stacks) imp.show();
            };
        }));
    }
}
