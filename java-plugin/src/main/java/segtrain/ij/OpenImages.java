package segtrain.ij;

import ij.gui.PlotWindow;
import segtrain.api.Predictor;
import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;

import java.util.Locale;

/** The open images as a dialog's choice: titles, defaults, and the image a macro names. */
final class OpenImages {
    final int[] ids;
    final String[] titles;

    private OpenImages(int[] ids) {
        this.ids = ids;
        this.titles = new String[ids.length];
        for (int i = 0; i < ids.length; i++) titles[i] = WindowManager.getImage(ids[i]).getTitle();
    }

    /**
     * The open images a command can take: not plots, training curves or probability maps (they
     * are results, not stacks to train on or label).
     *
     * @param none the message when no such image is open (what the command needs, and how to get it)
     */
    static OpenImages list(String none) {
        int[] all = WindowManager.getIDList();
        List<Integer> kept = new ArrayList<>();
        if (all != null) {
            for (int id : all) {
                ImagePlus imp = WindowManager.getImage(id);
                if (imp != null && isStack(imp)) kept.add(id);
            }
        }
        if (kept.isEmpty()) throw new IllegalArgumentException(none);
        int[] ids = new int[kept.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = kept.get(i);
        return new OpenImages(ids);
    }

    /** Whether an image is data rather than a result picture. */
    static boolean isStack(ImagePlus imp) {
        return !(imp.getWindow() instanceof PlotWindow) && imp.getProperty(LossCurve.PROPERTY) == null
                && imp.getProperty(Predictor.PROBABILITY_MAP) == null;
    }

    ImagePlus get(int index) {
        return WindowManager.getImage(ids[index]);
    }

    int indexOf(String title) {
        for (int i = 0; i < titles.length; i++) if (titles[i].equals(title)) return i;
        return -1;
    }

    /** The current image's index, or 0. */
    int current() {
        ImagePlus imp = WindowManager.getCurrentImage();
        return imp == null ? 0 : Math.max(0, indexOf(imp.getTitle()));
    }

    /** The first image other than {@code not} whose title contains {@code word}, else any other, else {@code not}. */
    int other(int not, String word) {
        for (int i = 0; i < titles.length; i++) {
            if (i != not && titles[i].toLowerCase(Locale.ROOT).contains(word)) return i;
        }
        for (int i = 0; i < titles.length; i++) if (i != not) return i;
        return not;
    }

    /**
     * In a macro, the image named by {@code key} (or {@code fallback} when the key is absent).
     * Checked here because GenericDialog's own check of a choice opens a dialog, which waits forever
     * under a virtual display.
     */
    int fromMacro(String options, String key, int fallback) {
        String title = Macro.getValue(options, key, titles[fallback]);
        int index = indexOf(title);
        if (index < 0) {
            throw new IllegalArgumentException(key + ": no open image is titled '" + title + "'; open images: "
                    + String.join(", ", titles));
        }
        return index;
    }
}
