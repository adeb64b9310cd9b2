package segtrain.bridge;

import java.io.File;
import java.net.URI;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads libsegtrain_jni.so exactly once per class loader.
 *
 * <p>Where it looks, in order:
 * <ol>
 *   <li>system property {@code segtrain.native.lib} (a file path),</li>
 *   <li>environment variable {@code SEGTRAIN_NATIVE_LIB} (a file path),</li>
 *   <li>{@code libsegtrain_jni.so} next to the jar holding this class (the ImageJ plugins folder),</li>
 *   <li>{@code ../lib/libsegtrain_jni.so} relative to that jar.</li>
 * </ol>
 * An explicit path (1 or 2) is authoritative: when it is set but wrong we fail instead of quietly
 * loading some other copy, so a misconfiguration is never hidden.
 */
public final class NativeLoader {
    public static final String PROPERTY = "segtrain.native.lib";
    public static final String ENV = "SEGTRAIN_NATIVE_LIB";
    public static final String FILE_NAME = "libsegtrain_jni.so";

    private static boolean loaded;

    private NativeLoader() {}

    /**
     * Loads the library unless already loaded. Not caching failures on purpose: the user can fix
     * the setup (copy the .so) and try again without restarting ImageJ.
     *
     * @throws UnsatisfiedLinkError listing every place tried and what to do
     */
    public static synchronized void load() {
        if (loaded) return;
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
            File[] candidates = {
                new File(codeDir, FILE_NAME),
                new File(new File(codeDir.getParentFile(), "lib"), FILE_NAME),
            };
            for (File candidate : candidates) {
                tried.add(candidate.getAbsolutePath());
                if (candidate.isFile()) {
                    loadFile(candidate);
                    return;
                }
            }
        }
        throw failure(tried, "Copy " + FILE_NAME + " next to SegTrain_.jar (the ImageJ plugins folder), "
                + "or set -D" + PROPERTY + "=/path/to/" + FILE_NAME + " or the environment variable " + ENV + ".");
    }

    private static void loadFile(File file) {
        try {
            System.load(file.getAbsolutePath());
        } catch (UnsatisfiedLinkError e) {
            // The file exists but cannot be linked, usually a missing libtorch; say which file it was.
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("SegTrain: cannot load native library "
                    + file.getAbsolutePath() + ": " + e.getMessage()
                    + "\nIt must be built on this machine with its libtorch reachable (rpath).");
            error.initCause(e);
            throw error;
        }
        loaded = true;
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
        return new UnsatisfiedLinkError(message.toString());
    }

    private static boolean isBlank(String s) {
        return s == null || s.trim().isEmpty();
    }
}
