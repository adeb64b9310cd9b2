package segtrain.ij;

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

    /** @param none the message when no image is open (what the command needs, and how to get it) */
    static OpenImages list(String none) {
        int[] ids = WindowManager.getIDList();
        if (ids == null || ids.length == 0) throw new IllegalArgumentException(none);
        return new OpenImages(ids);
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
