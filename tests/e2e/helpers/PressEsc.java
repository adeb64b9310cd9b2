import ij.IJ;

import java.awt.event.KeyEvent;

/**
 * e2e test helper (compiled by the test into a copy of the plugins folder, never shipped): plays
 * the person pressing Esc. whenLogHas("text") returns at once and waits on a thread until the
 * Log window holds the text, then presses Esc as ImageJ sees it (IJ.escapePressed()).
 */
public class PressEsc {
    public static String whenLogHas(final String text) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < 2400; i++) {
                    String log = IJ.getLog();
                    if (log != null && log.contains(text)) {
                        IJ.setKeyDown(KeyEvent.VK_ESCAPE);
                        return;
                    }
                    Thread.sleep(50);
                }
                IJ.log("PressEsc: the Log never showed '" + text + "'");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "PressEsc");
        t.setDaemon(true);
        t.start();
        return "";
    }
}
