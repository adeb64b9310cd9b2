import ij.gui.GenericDialog;

import javax.imageio.ImageIO;
import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.Label;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * e2e test helper (compiled by test_dialogs.sh into a copy of the plugins folder, never shipped):
 * plays a person at a sequence of dialogs. Each queued script handles the next new GenericDialog:
 * steps separated by ';' are `key=value` (type or choose), `?key` (note the field's value),
 * `?message` (note the first line of text above the fields), `!Button label` (press it),
 * `@name` (save a picture of the dialog as name.png in the artefacts folder), and last `OK` or
 * `Cancel`. results() returns the notes, one `what=value` per line.
 */
public class DialogScript {
    private static final List<String> scripts = new ArrayList<>();
    private static final StringBuilder notes = new StringBuilder();
    private static Thread worker;
    private static Window last;
    private static String artefacts = System.getProperty("java.io.tmpdir");

    public static synchronized String queue(String script) {
        scripts.add(script);
        if (worker == null) {
            worker = new Thread(DialogScript::work);
            worker.setDaemon(true);
            worker.start();
        }
        return "";
    }

    public static String artefactsIn(String folder) {
        artefacts = folder;
        return "";
    }

    public static synchronized String results() {
        return notes.toString();
    }

    private static void work() {
        while (true) {
            String script;
            synchronized (DialogScript.class) {
                if (scripts.isEmpty()) {
                    worker = null;
                    return;
                }
                script = scripts.remove(0);
            }
            try {
                GenericDialog gd = null;
                for (int i = 0; i < 600 && gd == null; i++) {
                    Thread.sleep(100);
                    for (Window w : Window.getWindows()) {
                        if (w instanceof GenericDialog && w.isShowing() && w != last) gd = (GenericDialog) w;
                    }
                }
                if (gd == null) throw new IllegalStateException("no dialog opened for " + script);
                last = gd;
                note("dialog", gd.getTitle());
                Thread.sleep(500); // the dialog's own setup (layout, focus, listeners) first
                final GenericDialog dialog = gd;
                for (String step : script.split(";")) {
                    if (step.startsWith("~")) { // debugging: wait, then picture the whole screen
                        Thread.sleep(1000L * Integer.parseInt(step.substring(1)));
                        Rectangle screen = new Rectangle(java.awt.Toolkit.getDefaultToolkit().getScreenSize());
                        ImageIO.write(new Robot().createScreenCapture(screen), "png", new File(artefacts, "screen.png"));
                        continue;
                    }
                    if (step.startsWith("@")) {
                        Rectangle r = dialog.getBounds();
                        ImageIO.write(new Robot().createScreenCapture(r), "png", new File(artefacts, step.substring(1) + ".png"));
                        continue;
                    }
                    try {
                        EventQueue.invokeAndWait(() -> step(dialog, step));
                    } catch (Exception e) { // noted, and the script goes on, so that OK or Cancel still ends it
                        note("helper_error", step + ": " + (e.getCause() != null ? e.getCause() : e));
                    }
                    Thread.sleep(200);
                }
            } catch (Exception e) {
                note("helper_error", String.valueOf(e.getCause() != null ? e.getCause() : e));
            }
        }
    }

    private static void step(GenericDialog d, String step) {
        if (step.equals("OK") || step.equals("Cancel")) {
            Button b = d.getButtons()[step.equals("OK") ? 0 : 1];
            d.actionPerformed(new ActionEvent(b, ActionEvent.ACTION_PERFORMED, b.getLabel()));
        } else if (step.startsWith("!")) {
            Button b = button(d, step.substring(1));
            if (b == null) throw new IllegalStateException("no button " + step);
            for (java.awt.event.ActionListener l : b.getActionListeners()) {
                l.actionPerformed(new ActionEvent(b, ActionEvent.ACTION_PERFORMED, b.getLabel()));
            }
        } else if (step.startsWith("?below:")) { // the line shown under a field, e.g. the chosen model's
            note("below." + step.substring(7), lineBelow(d, step.substring(7)));
        } else if (step.equals("?message")) {
            note("message", firstLabel(d)); // the text on top: a refusal's, when there is one
        } else if (step.startsWith("?")) {
            Component f = field(d, step.substring(1));
            note(step.substring(1), f instanceof TextField ? ((TextField) f).getText()
                    : f instanceof Choice ? ((Choice) f).getSelectedItem()
                    : f instanceof Checkbox ? String.valueOf(((Checkbox) f).getState()) : "(no field)");
            if (f != null) note(step.substring(1) + ".enabled", String.valueOf(f.isEnabled()));
        } else if (step.contains("=")) {
            String[] kv = step.split("=", 2);
            Component f = field(d, kv[0]);
            if (f instanceof TextField) {
                ((TextField) f).setText(kv[1]);
            } else if (f instanceof Choice) {
                Choice c = (Choice) f;
                c.select(kv[1]);
                c.dispatchEvent(new java.awt.event.ItemEvent(c, java.awt.event.ItemEvent.ITEM_STATE_CHANGED, kv[1], java.awt.event.ItemEvent.SELECTED));
            } else {
                throw new IllegalStateException("no field " + kv[0]);
            }
        }
    }

    private static synchronized void note(String what, String value) {
        notes.append(what).append('=').append(value).append('\n');
        try { // also on disk as it happens, so that a test that hangs shows how far it came
            java.nio.file.Files.write(new File(artefacts, "dialog-notes.txt").toPath(), notes.toString().getBytes("UTF-8"));
        } catch (java.io.IOException ignored) {
            // the notes in memory are what results() returns
        }
    }

    /** The field after the label showing `key` (see DialogFiller.isKey). */
    private static Component field(Container c, String key) {
        Component[] parts = c.getComponents();
        for (int i = 0; i < parts.length; i++) {
            Component p = parts[i];
            if (p instanceof Checkbox && DialogFiller.isKey(((Checkbox) p).getLabel(), key)) return p;
            if (p instanceof Label && DialogFiller.isKey(((Label) p).getText(), key) && i + 1 < parts.length) {
                return DialogFiller.first(parts[i + 1]);
            }
            if (p instanceof Container && !(p instanceof TextField) && !(p instanceof Choice)) {
                Component f = field((Container) p, key);
                if (f != null) return f;
            }
        }
        return null;
    }

    /** The text of the first label after the field of `key` (its own label aside). */
    private static String lineBelow(Container c, String key) {
        Component[] parts = c.getComponents();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] instanceof Label && DialogFiller.isKey(((Label) parts[i]).getText(), key)) {
                for (int j = i + 2; j < parts.length; j++) {
                    if (parts[j] instanceof Label) return ((Label) parts[j]).getText();
                }
            }
            if (parts[i] instanceof Container && !(parts[i] instanceof TextField) && !(parts[i] instanceof Choice)) {
                String t = lineBelow((Container) parts[i], key);
                if (t != null) return t;
            }
        }
        return null;
    }

    private static Button button(Container c, String label) {
        for (Component p : c.getComponents()) {
            if (p instanceof Button && ((Button) p).getLabel().equals(label)) return (Button) p;
            if (p instanceof Container) {
                Button b = button((Container) p, label);
                if (b != null) return b;
            }
        }
        return null;
    }

    private static String firstLabel(Container c) {
        for (Component p : c.getComponents()) {
            if (p instanceof Label) return ((Label) p).getText();
            if (p instanceof Container && !(p instanceof TextField) && !(p instanceof Choice)) {
                String t = firstLabel((Container) p);
                if (t != null) return t;
            }
        }
        return null;
    }
}
