import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;

import java.awt.Button;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.Label;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;

/**
 * e2e test helper (compiled by test_recording.sh into a copy of the plugins folder, never
 * shipped): plays the person at a dialog. fill("key=value;key=value") waits on a thread for the
 * next GenericDialog to open, types each value into the field whose label is the key (or selects
 * it in a choice), and presses OK, all on the event thread as a click would. recorded() returns
 * what the macro Recorder holds.
 */
public class DialogFiller {
    public static String fill(final String spec) {
        Recorder.recordInMacros = true; // the test's macro plays the person: record what it does
        Thread t = new Thread(() -> {
            try {
                GenericDialog gd = null;
                for (int i = 0; i < 300 && gd == null; i++) {
                    Thread.sleep(100);
                    for (Window w : Window.getWindows()) {
                        if (w instanceof GenericDialog && w.isShowing()) gd = (GenericDialog) w;
                    }
                }
                if (gd == null) throw new IllegalStateException("no dialog opened");
                Thread.sleep(300); // the dialog's own setup (focus, listeners) first
                final GenericDialog dialog = gd;
                EventQueue.invokeAndWait(() -> {
                    for (String pair : spec.split(";")) {
                        if (pair.isEmpty()) continue;
                        String[] kv = pair.split("=", 2);
                        if (!set(dialog, kv[0], kv[1])) throw new IllegalStateException("no field " + kv[0]);
                    }
                    Button ok = dialog.getButtons()[0];
                    dialog.actionPerformed(new ActionEvent(ok, ActionEvent.ACTION_PERFORMED, ok.getLabel()));
                });
            } catch (Exception e) {
                System.out.println("DialogFiller: " + (e.getCause() != null ? e.getCause() : e));
            }
        });
        t.setDaemon(true);
        t.start();
        return "";
    }

    public static String recorded() {
        Recorder recorder = Recorder.getInstance();
        return recorder == null ? "" : recorder.getText();
    }

    /** The field that follows the label `key` gets `value`; a choice fires its item event. */
    private static boolean set(Container c, String key, String value) {
        Component[] parts = c.getComponents();
        for (int i = 0; i < parts.length; i++) {
            Component p = parts[i];
            if (p instanceof Container && !(p instanceof TextField) && !(p instanceof Choice) && set((Container) p, key, value)) return true;
            // ImageJ shows a key's underscores as spaces (and may add a colon).
            boolean labelled = p instanceof Label && isKey(((Label) p).getText(), key);
            if (!labelled || i + 1 >= parts.length) continue;
            Component field = first(parts[i + 1]);
            if (field instanceof TextField) {
                ((TextField) field).setText(value);
                return true;
            }
            if (field instanceof Choice) {
                Choice choice = (Choice) field;
                choice.select(value);
                choice.dispatchEvent(new java.awt.event.ItemEvent(choice, java.awt.event.ItemEvent.ITEM_STATE_CHANGED, value, java.awt.event.ItemEvent.SELECTED));
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a label shows `key`: ImageJ shows the key's underscores as spaces (and may add a
     * colon); plain words in brackets may follow ("base lr (peak learning rate)").
     */
    static boolean isKey(String text, String key) {
        String t = text.trim().replace(' ', '_').replaceAll(":$", "");
        return t.equals(key) || t.startsWith(key + "_(");
    }

    /** A field, or the first field inside a panel (numeric fields with a unit sit in one). */
    static Component first(Component c) {
        if (c instanceof TextField || c instanceof Choice || !(c instanceof Container)) return c;
        for (Component inner : ((Container) c).getComponents()) {
            Component f = first(inner);
            if (f instanceof TextField || f instanceof Choice) return f;
        }
        return c;
    }
}
