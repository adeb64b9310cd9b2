package segtrain.install;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * The libtorch this build of SegTrain needs and where it lives, from native/libtorch.properties
 * (packed into the jar as /segtrain/libtorch.properties; the native library and the build scripts
 * read the same file, so the version is written once).
 *
 * <p>Java holds these facts, not Rust, because they are needed before the native library can load:
 * finding and installing libtorch is what makes loading it possible.
 */
public final class LibtorchSpec {
    public static final String CPU = "cpu";
    public static final String CUDA = "cuda";
    /** The file whose presence says an NVIDIA kernel driver is loaded (no process to start). */
    public static final File NVIDIA_DRIVER = new File("/proc/driver/nvidia/version");

    private static LibtorchSpec bundled;

    private final Properties properties;
    private final File home;

    /** A spec for tests: its own properties, and a home folder instead of the user's. */
    LibtorchSpec(Properties properties, File home) {
        this.properties = properties;
        this.home = home;
    }

    /** The spec packed into SegTrain_.jar. */
    public static synchronized LibtorchSpec bundled() {
        if (bundled == null) {
            Properties properties = new Properties();
            try (InputStream in = LibtorchSpec.class.getResourceAsStream("/segtrain/libtorch.properties")) {
                if (in == null) throw new IllegalStateException("SegTrain_.jar lacks segtrain/libtorch.properties: a broken build");
                properties.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read segtrain/libtorch.properties from SegTrain_.jar: " + e.getMessage(), e);
            }
            bundled = new LibtorchSpec(properties, home());
        }
        return bundled;
    }

    /** e.g. "2.13.0". */
    public String version() {
        return required("version");
    }

    /** The PEP 691 index, overridable with -Dsegtrain.index or SEGTRAIN_INDEX (a mirror, a test server). */
    public String index() {
        String override = setting("segtrain.index", "SEGTRAIN_INDEX");
        String index = override != null ? override : required("index");
        return index.endsWith("/") ? index : index + "/";
    }

    /** The wheels of a flavour as name==version requirements. */
    public List<String> requirements(String flavour) {
        return words(required(checkFlavour(flavour)));
    }

    /** Library file names of the wheels that the flavour does not install. */
    public List<String> skipped(String flavour) {
        return words(properties.getProperty(checkFlavour(flavour) + ".skip", ""));
    }

    /** "cuda" where an NVIDIA driver is loaded, else "cpu". */
    public static String defaultFlavour() {
        return NVIDIA_DRIVER.isFile() ? CUDA : CPU;
    }

    /** Why {@link #defaultFlavour()} chose what it chose, in words for the dialog. */
    public static String defaultFlavourReason() {
        return NVIDIA_DRIVER.isFile()
                ? "an NVIDIA driver is loaded (" + NVIDIA_DRIVER + "), so the CUDA build can use the GPU"
                : "no NVIDIA driver is loaded (" + NVIDIA_DRIVER + " is missing), so only the CPU build can run";
    }

    /** ~/.segtrain/libtorch: the installer's folder (HOME as the native library reads it). */
    public File installRoot() {
        return new File(new File(home, ".segtrain"), "libtorch");
    }

    /** The installer's folder for one flavour, e.g. ~/.segtrain/libtorch/2.13.0-cpu. */
    public File installFolder(String flavour) {
        return new File(installRoot(), version() + "-" + checkFlavour(flavour));
    }

    /** The folder scripts/setup.sh installs into for building ($SEGTRAIN_CACHE or ~/.cache/segtrain). */
    public File buildCacheFolder(String flavour) {
        String cache = System.getenv("SEGTRAIN_CACHE");
        File root = cache != null && !cache.trim().isEmpty() ? new File(cache) : new File(new File(home, ".cache"), "segtrain");
        return new File(root, "torch-" + version() + "-" + checkFlavour(flavour));
    }

    static File home() {
        String home = System.getenv("HOME");
        return new File(home != null && !home.trim().isEmpty() ? home : System.getProperty("user.home"));
    }

    /** A system property or, when unset, an environment variable; null when both are blank. */
    static String setting(String property, String env) {
        String value = System.getProperty(property);
        if (value == null || value.trim().isEmpty()) value = System.getenv(env);
        return value == null || value.trim().isEmpty() ? null : value.trim();
    }

    static String checkFlavour(String flavour) {
        if (CPU.equals(flavour) || CUDA.equals(flavour)) return flavour;
        throw new IllegalArgumentException("flavour: '" + flavour + "' is not one of cpu, cuda");
    }

    private String required(String key) {
        String value = properties.getProperty(key);
        if (value == null) throw new IllegalStateException("segtrain/libtorch.properties lacks '" + key + "'");
        return value.trim();
    }

    private static List<String> words(String text) {
        String trimmed = text.trim();
        return trimmed.isEmpty() ? Collections.<String>emptyList() : new ArrayList<>(Arrays.asList(trimmed.split("\\s+")));
    }
}
