package segtrain.install;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the libtorch to load, in this documented order:
 * <ol>
 *   <li>{@code -Dsegtrain.libtorch} or {@code SEGTRAIN_LIBTORCH}: a folder holding libtorch_cpu.so,
 *       or its lib/ or torch/lib/ subfolder. Set means meant: when it is wrong we stop, never load
 *       another copy behind the user's back;</li>
 *   <li>the installer's folders, ~/.segtrain/libtorch/VERSION-cuda then VERSION-cpu, used only
 *       when complete (see {@link InstallMarker});</li>
 *   <li>the build cache of scripts/setup.sh ($SEGTRAIN_CACHE or ~/.cache/segtrain), for developers.</li>
 * </ol>
 */
public final class LibtorchLocator {
    public static final String PROPERTY = "segtrain.libtorch";
    public static final String ENV = "SEGTRAIN_LIBTORCH";
    static final String CPU_LIBRARY = "libtorch_cpu.so";

    /** A libtorch ready to load. */
    public static final class Found {
        /** The folder holding libtorch_cpu.so. */
        public final File libFolder;
        /** Where it came from, for About and messages. */
        public final String source;

        Found(File libFolder, String source) {
            this.libFolder = libFolder;
            this.source = source;
        }

        public File cpuLibrary() {
            return new File(libFolder, CPU_LIBRARY);
        }
    }

    /** No usable libtorch: every place looked at and why it was not used. */
    public static final class Missing extends Exception {
        public final List<String> tried;
        /** True when an explicit setting (property or environment) pointed at a wrong folder. */
        public final boolean explicit;

        Missing(String message, List<String> tried, boolean explicit) {
            super(message);
            this.tried = tried;
            this.explicit = explicit;
        }
    }

    private LibtorchLocator() {}

    public static Found locate(LibtorchSpec spec) throws Missing {
        List<String> tried = new ArrayList<>();
        String explicit = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (explicit == null || explicit.trim().isEmpty()) {
            explicit = System.getenv(ENV);
            source = "environment variable " + ENV;
        }
        if (explicit != null && !explicit.trim().isEmpty()) {
            File folder = new File(explicit.trim());
            for (File candidate : new File[] {folder, new File(folder, "lib"), new File(new File(folder, "torch"), "lib")}) {
                if (new File(candidate, CPU_LIBRARY).isFile()) return new Found(candidate, source + " (" + folder + ")");
            }
            tried.add(folder + " (from " + source + "): no " + CPU_LIBRARY + " in it, its lib/ or its torch/lib/");
            throw new Missing("libtorch not found where " + source + " says; fix or unset it", tried, true);
        }
        for (String flavour : new String[] {LibtorchSpec.CUDA, LibtorchSpec.CPU}) {
            File folder = spec.installFolder(flavour);
            String problem = InstallMarker.problem(folder, spec.version());
            if (problem == null) return new Found(torchLib(folder), "installed (" + folder + ")");
            tried.add(folder + ": " + problem);
        }
        for (String flavour : new String[] {LibtorchSpec.CUDA, LibtorchSpec.CPU}) {
            File folder = spec.buildCacheFolder(flavour);
            if (new File(folder, ".complete").isFile() && new File(torchLib(folder), CPU_LIBRARY).isFile()) {
                return new Found(torchLib(folder), "build cache (" + folder + ")");
            }
            tried.add(folder + ": " + (folder.isDirectory() ? "an unfinished build cache" : "not there"));
        }
        throw new Missing("SegTrain needs libtorch " + spec.version() + ", which is not installed", tried, false);
    }

    /** Where the wheels' layout puts the libraries (their RPATH finds nvidia/.../lib from there). */
    static File torchLib(File folder) {
        return new File(new File(folder, "torch"), "lib");
    }
}
