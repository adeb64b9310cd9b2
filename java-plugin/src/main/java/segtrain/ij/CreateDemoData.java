package segtrain.ij;

import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import segtrain.api.DemoData;

/** Plugins>SegTrain>Create Demo Data: shows the generated demo image and label stacks. */
public class CreateDemoData implements PlugIn {
    @Override
    public void run(String arg) {
        GenericDialog gd = new GenericDialog("SegTrain: Create Demo Data");
        gd.addNumericField("slices", 4, 0);
        gd.addNumericField("height", 192, 0);
        gd.addNumericField("width", 192, 0);
        gd.addNumericField("seed", 1, 0);
        gd.showDialog();
        if (gd.wasCanceled()) return;
        int slices = (int) gd.getNextNumber();
        int height = (int) gd.getNextNumber();
        int width = (int) gd.getNextNumber();
        long seed = (long) gd.getNextNumber();
        Errors.command(() -> {
            for (ImagePlus imp : DemoData.create(slices, height, width, seed)) imp.show();
        });
    }
}
