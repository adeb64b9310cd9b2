package segtrain.install;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.CancellationException;

/**
 * The installer without Fiji, for the command line on a cluster (bin/install-libtorch.sh runs it):
 * <pre>
 *   java -cp SegTrain_.jar segtrain.install.InstallMain [--flavour cpu|cuda|auto] [--reinstall]
 *   java -cp SegTrain_.jar segtrain.install.InstallMain --locate
 * </pre>
 * --locate prints the folder of the libtorch libraries SegTrain would load (bin/segtrain puts it
 * on LD_LIBRARY_PATH), or says where it looked and exits with 2.
 */
public final class InstallMain {
    private InstallMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String flavour = "auto";
        boolean reinstall = false;
        boolean locate = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--flavour") && i + 1 < args.length) flavour = args[++i];
            else if (args[i].equals("--reinstall")) reinstall = true;
            else if (args[i].equals("--locate")) locate = true;
            else {
                System.err.println("install-libtorch: unknown argument '" + args[i] + "'; use --flavour cpu|cuda|auto, --reinstall or --locate");
                return 2;
            }
        }
        LibtorchSpec spec = LibtorchSpec.bundled();
        if (locate) return locate(spec);
        if (flavour.equals("auto")) {
            flavour = LibtorchSpec.defaultFlavour();
            System.err.println("install-libtorch: flavour " + flavour + ": " + LibtorchSpec.defaultFlavourReason());
        }
        LibtorchInstaller installer;
        try {
            installer = new LibtorchInstaller(spec, flavour, new PrintedProgress());
        } catch (IllegalArgumentException e) {
            System.err.println("install-libtorch: " + e.getMessage());
            return 2;
        }
        if (!reinstall && installer.problem() == null) {
            System.err.println("install-libtorch: libtorch " + spec.version() + " (" + flavour + ") is already installed in "
                    + installer.folder() + " (--reinstall replaces it)");
            return 0;
        }
        try {
            File folder = installer.install();
            System.err.println("install-libtorch: libtorch " + spec.version() + " (" + flavour + ") installed in " + folder);
            return 0;
        } catch (CancellationException e) {
            System.err.println("install-libtorch: cancelled");
            return 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("install-libtorch: " + e.getMessage());
            return 1;
        }
    }

    private static int locate(LibtorchSpec spec) {
        try {
            System.out.println(LibtorchLocator.locate(spec).libFolder.getAbsolutePath());
            return 0;
        } catch (LibtorchLocator.Missing missing) {
            System.err.println("segtrain: " + missing.getMessage() + ". Looked in:");
            for (String place : missing.tried) System.err.println("  " + place);
            return 2;
        }
    }

    /** One line per phase and per tenth of it: readable in a Slurm log. */
    private static final class PrintedProgress implements LibtorchInstaller.Progress {
        private String phase = "";
        private long lastTenth = -1;

        @Override
        public void update(String phase, long done, long total) {
            long tenth = total > 0 ? done * 10 / total : 0;
            if (phase.equals(this.phase) && tenth == lastTenth) return;
            this.phase = phase;
            lastTenth = tenth;
            String amount = total > 0 ? String.format(" %d%% of %.0f MB", done * 100 / total, total / 1e6) : "";
            System.err.println("install-libtorch: " + phase + amount);
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    }
}
