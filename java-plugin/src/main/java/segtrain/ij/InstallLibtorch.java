package segtrain.ij;

import ij.IJ;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import segtrain.bridge.NativeLoader;
import segtrain.install.LibtorchInstaller;
import segtrain.install.LibtorchSpec;

import java.io.File;
import java.util.concurrent.CancellationException;

/**
 * Plugins>SegTrain>Install libtorch...: downloads and installs the libtorch SegTrain needs, then
 * loads SegTrain without a restart. Macro: run("Install libtorch...", "flavour=cpu [reinstall]").
 */
public class InstallLibtorch implements PlugIn {
    @Override
    public void run(String arg) {
        LibtorchSpec spec = LibtorchSpec.bundled();
        String[] flavours = {LibtorchSpec.CPU, LibtorchSpec.CUDA};
        GenericDialog dialog = new GenericDialog("Install libtorch");
        dialog.addMessage("SegTrain trains and runs its networks with libtorch " + spec.version() + " (PyTorch's C++ library).\n"
                + "It is downloaded once from " + spec.index() + " (about 0.5 GB for cpu, 3 GB for cuda),\n"
                + "checked, and installed in " + spec.installRoot() + ".\n"
                + "Suggested: " + LibtorchSpec.defaultFlavour() + ", because " + LibtorchSpec.defaultFlavourReason() + ".");
        dialog.addChoice("flavour", flavours, LibtorchSpec.defaultFlavour());
        dialog.addCheckbox("reinstall (even when an intact install is there)", false);
        dialog.showDialog();
        if (dialog.wasCanceled()) return;
        String flavour = dialog.getNextChoice();
        boolean reinstall = dialog.getNextBoolean();
        try {
            install(spec, flavour, reinstall);
        } catch (Throwable t) {
            if (Errors.isMacroAbort(t)) throw (RuntimeException) t;
            IJ.showProgress(1.0);
            Errors.report(t instanceof CancellationException ? new CancellationException("libtorch installation cancelled;"
                    + " the part already downloaded is kept and the next installation continues it") : t);
        }
    }

    private static void install(LibtorchSpec spec, String flavour, boolean reinstall) throws Exception {
        LibtorchInstaller installer = new LibtorchInstaller(spec, flavour, new StatusBarProgress());
        if (!reinstall && installer.problem() == null) {
            IJ.log("SegTrain: libtorch " + spec.version() + " (" + flavour + ") is already installed in " + installer.folder());
        } else {
            IJ.resetEscape();
            File folder = installer.install();
            IJ.showProgress(1.0);
            IJ.showStatus("");
            IJ.log("SegTrain: libtorch " + spec.version() + " (" + flavour + ") installed in " + folder);
        }
        try {
            NativeLoader.load();
            IJ.log("SegTrain: ready (libtorch " + NativeLoader.libtorchSource() + ")");
        } catch (NativeLoader.LibtorchMissingError | NativeLoader.NativeLoadError e) {
            throw e;
        } catch (UnsatisfiedLinkError e) {
            // The JVM already holds another libtorch: only a new process can swap it.
            IJ.log("SegTrain: libtorch is installed; restart Fiji to use it (" + e.getMessage() + ")");
        }
    }

    /** Fiji's progress bar and status line, with size and time left; Esc cancels. */
    private static final class StatusBarProgress implements LibtorchInstaller.Progress {
        private String phase = "";
        private long phaseStart;
        private long lastShown;

        @Override
        public void update(String phase, long done, long total) {
            long now = System.currentTimeMillis();
            if (!phase.equals(this.phase)) {
                this.phase = phase;
                phaseStart = now;
                IJ.log("SegTrain: " + phase);
            } else if (now - lastShown < 250 && done < total) {
                return;
            }
            lastShown = now;
            if (total <= 0) {
                IJ.showStatus(phase);
                return;
            }
            double fraction = Math.min(1.0, done / (double) total);
            IJ.showProgress(fraction);
            String left = "";
            double seconds = (now - phaseStart) / 1000.0;
            if (fraction > 0.01 && seconds > 2) left = ", " + timeLeft(seconds * (1 - fraction) / fraction) + " left";
            IJ.showStatus(String.format("%s: %.0f of %.0f MB%s (Esc cancels)", phase, done / 1e6, total / 1e6, left));
        }

        @Override
        public boolean cancelled() {
            return IJ.escapePressed();
        }
    }

    /**
     * "0m41s", "1h02m03s": the time a download has left. The only duration Java formats: the
     * native library, which words every other one, is what is being installed.
     */
    static String timeLeft(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        if (s >= 3600) return String.format(java.util.Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
        return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
