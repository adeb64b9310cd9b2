package segtrain.bridge;

import segtrain.install.LibtorchLocator;
import segtrain.install.LibtorchSpec;

import java.io.File;
import java.net.URI;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads libsegtrain_jni.so exactly once per class loader, after the libtorch it needs.
 *
 * <p>Where it looks for libsegtrain_jni.so, in order:
 * <ol>
 *   <li>system property {@code segtrain.native.lib} (a file path),</li>
 *   <li>environment variable {@code SEGTRAIN_NATIVE_LIB} (a file path),</li>
 *   <li>{@code ../lib/linux64/libsegtrain_jni.so} relative to the jar holding this class (Fiji's
 *       layout: the jar in Fiji.app/plugins, native libraries in Fiji.app/lib/linux64),</li>
 *   <li>{@code libsegtrain_jni.so} next to that jar, then {@code ../lib/libsegtrain_jni.so}.</li>
 * </ol>
 * The library carries no path to libtorch (it is built on another machine): libtorch_cpu.so is
 * loaded first by its full path from where {@link LibtorchLocator} finds it, and the dynamic loader
 * then satisfies the library's need for it by its soname.
 * An explicit path (1 or 2) is authoritative: when it is set but wrong we fail instead of quietly
 * loading some other copy, so a misconfiguration is never hidden.
 */
public final class NativeLoader {
    public static final String PROPERTY = "segtrain.native.lib";
    public static final String ENV = "SEGTRAIN_NATIVE_LIB";
    public static final String FILE_NAME = "libsegtrain_jni.so";

    private static boolean loaded;
    private static boolean loading;
    private static String libtorchSource;

    private NativeLoader() {}

    /**
     * Loads the library unless already loaded. Not caching failures on purpose: the user can fix
     * the setup (copy the .so) and try again without restarting ImageJ.
     *
     * @throws UnsatisfiedLinkError listing every place tried and what to do
     */
    public static synchronized void load() {
        // `loading`: the build check below calls into Native, whose static initialiser calls back here.
        if (loaded || loading) return;
        loading = true;
        try {
            find();
        } finally {
            loading = false;
        }
    }

    private static void find() {
        List<String> tried = new ArrayList<>();
        String explicit = System.getProperty(PROPERTY);
        String source = "system property " + PROPERTY;
        if (isBlank(explicit)) {
            explicit = System.getenv(ENV);
            source = "environment variable " + ENV;
        }
        if (!isBlank(explicit)) {
            File file = new File(explicit);
            tried.add(file.getAbsolutePath() + " (from " + source + ")");
            if (file.isFile()) {
                loadFile(file);
                return;
            }
            throw failure(tried, source + " names a file that does not exist; fix it or unset it.");
        }
        File codeDir = codeDirectory();
        if (codeDir == null) {
            tried.add("(the folder of SegTrain_.jar: unknown, no code source)");
        } else {
            File lib = new File(codeDir.getParentFile(), "lib");
            File[] candidates = {
                new File(new File(lib, "linux64"), FILE_NAME),
                new File(codeDir, FILE_NAME),
                new File(lib, FILE_NAME),
            };
            for (File candidate : candidates) {
                tried.add(candidate.getAbsolutePath());
                if (candidate.isFile()) {
                    loadFile(candidate);
                    return;
                }
            }
        }
        throw failure(tried, "Unzip the whole SegTrain package into Fiji.app (it puts " + FILE_NAME
                + " in Fiji.app/lib/linux64), or set -D" + PROPERTY + "=/path/to/" + FILE_NAME
                + " or the environment variable " + ENV + ".");
    }

    private static void loadFile(File file) {
        LibtorchLocator.Found libtorch = loadLibtorch();
        try {
            System.load(file.getAbsolutePath());
        } catch (UnsatisfiedLinkError e) {
            throw new NativeLoadError("SegTrain: cannot load " + file.getAbsolutePath() + " with the libtorch "
                    + libtorch.source + ": " + e.getMessage()
                    + "\nThe libtorch there is not the one this SegTrain was built for (libtorch "
                    + LibtorchSpec.bundled().version() + "): run Plugins > SegTrain > Install libtorch...", e);
        }
        checkSameBuild(file);
        libtorchSource = libtorch.source;
        loaded = true;
    }

    /** The jar and the library must be one build: a version that differs, or a missing function, says they are not. */
    private static void checkSameBuild(File file) {
        String library;
        try {
            library = Native.version();
        } catch (NativeLoadError e) {
            throw e;
        } catch (UnsatisfiedLinkError e) {
            throw new NativeLoadError("SegTrain: " + file + " lacks the functions of this SegTrain_.jar (" + e.getMessage()
                    + "): they come from different builds. Install both from one SegTrain package.", e);
        }
        String jar = jarVersion();
        if (!library.startsWith(jar + " ")) {
            throw new NativeLoadError("SegTrain: SegTrain_.jar is version " + jar + " but " + file + " is " + library
                    + ": they come from different builds. Install both from one SegTrain package.", null);
        }
    }

    /** The version gradle wrote into the jar (segtrain/build.properties, from Cargo.toml). */
    public static String jarVersion() {
        java.util.Properties properties = new java.util.Properties();
        try (java.io.InputStream in = NativeLoader.class.getResourceAsStream("/segtrain/build.properties")) {
            if (in != null) properties.load(in);
        } catch (java.io.IOException e) {
            // unreadable: reported below as unknown
        }
        return properties.getProperty("version", "unknown");
    }

    /** Where the libtorch in use came from ("installed (~/.segtrain/...)"), null before loading. */
    public static synchronized String libtorchSource() {
        return libtorchSource;
    }

    private static LibtorchLocator.Found loadLibtorch() {
        LibtorchSpec spec = LibtorchSpec.bundled();
        LibtorchLocator.Found found;
        try {
            found = LibtorchLocator.locate(spec);
        } catch (LibtorchLocator.Missing missing) {
            StringBuilder message = new StringBuilder("SegTrain: " + missing.getMessage() + ". Looked in:");
            for (String place : missing.tried) message.append("\n  ").append(place);
            message.append(missing.explicit
                    ? "\nPoint " + LibtorchLocator.PROPERTY + " / " + LibtorchLocator.ENV + " at a libtorch " + spec.version()
                            + " folder, or unset it to use the installed one."
                    : "\nInstall it with Plugins > SegTrain > Install libtorch... (from a macro: run(\"Install libtorch...\", \"flavour=cpu\"));"
                            + " then run the command again.");
            throw new LibtorchMissingError(message.toString());
        }
        try {
            System.load(found.cpuLibrary().getAbsolutePath());
        } catch (UnsatisfiedLinkError e) {
            throw new NativeLoadError("SegTrain: libtorch " + found.source + " cannot be loaded: " + e.getMessage()
                    + "\nIt is incomplete or damaged: run Plugins > SegTrain > Install libtorch... to repair it.", e);
        }
        return found;
    }

    /** libtorch is not installed (or a setting points at a wrong folder): the Install dialog fixes it. */
    public static final class LibtorchMissingError extends UnsatisfiedLinkError {
        LibtorchMissingError(String message) {
            super(message);
        }
    }

    /** A library was found but cannot be loaded; the message says which and what to do. */
    public static final class NativeLoadError extends UnsatisfiedLinkError {
        NativeLoadError(String message, Throwable cause) {
            super(message);
            initCause(cause);
        }
    }

    /** The folder of the jar holding this class, or the class folder itself when run from classes. */
    private static File codeDirectory() {
        try {
            CodeSource code = NativeLoader.class.getProtectionDomain().getCodeSource();
            if (code == null || code.getLocation() == null) return null;
            File location = new File(new URI(code.getLocation().toString()));
            return location.isDirectory() ? location : location.getAbsoluteFile().getParentFile();
        } catch (Exception e) { // SecurityException, URISyntaxException, a non-file URL
            return null;
        }
    }

    private static UnsatisfiedLinkError failure(List<String> tried, String whatToDo) {
        StringBuilder message = new StringBuilder("SegTrain: native library " + FILE_NAME + " not found. Tried:");
        for (String place : tried) message.append("\n  ").append(place);
        message.append("\n").append(whatToDo);
        return new NativeLoadError(message.toString(), null);
    }

    private static boolean isBlank(String s) {
        return s == null || s.trim().isEmpty();
    }
}
