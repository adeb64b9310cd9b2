package segtrain.ij;

import ij.gui.GenericDialog;

import java.util.List;

/**
 * Macro recording for dialogs with a DialogListener. When OK is pressed, ImageJ calls the first
 * listener once more with a null event and records only the fields read during that call; the
 * command's own reads afterwards are not recorded. A listener that ignores the null event
 * therefore records nothing, and replaying the line opens the dialog with its defaults.
 */
final class Recording {
    private Recording() {}

    /**
     * Reads every field once, so that the Recorder writes them all. Each getNext call records the
     * next field of its kind under its key, so reading kind by kind (rather than in the order the
     * fields were added) records the same keys and values. Always true: nothing is refused here
     * (the command's own read after the dialog checks the values).
     */
    static boolean recordAllFields(GenericDialog gd) {
        for (int i = 0; i < count(gd.getChoices()); i++) gd.getNextChoice();
        for (int i = 0; i < count(gd.getNumericFields()); i++) gd.getNextNumber();
        for (int i = 0; i < count(gd.getStringFields()); i++) gd.getNextString();
        for (int i = 0; i < count(gd.getCheckboxes()); i++) gd.getNextBoolean();
        return true;
    }

    private static int count(List<?> fields) {
        return fields == null ? 0 : fields.size();
    }
}
