package segtrain.install;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The file an install writes last: which libtorch it holds and every file with its size. Its
 * absence means the install never finished; a file that is missing or has another size means it
 * was damaged since. Either way the folder is never loaded, and the installer replaces it.
 */
public final class InstallMarker {
    public static final String FILE_NAME = "segtrain-install.properties";
    private static final String FILE_PREFIX = "file.";

    final String version;
    final String flavour;
    /** Path relative to the install folder ('/' separated) to size in bytes. */
    final Map<String, Long> files;

    InstallMarker(String version, String flavour, Map<String, Long> files) {
        this.version = version;
        this.flavour = flavour;
        this.files = new TreeMap<>(files);
    }

    /** Written through a temporary file and a rename, so a marker is never half written. */
    void write(File folder) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("version", version);
        properties.setProperty("flavour", flavour);
        for (Map.Entry<String, Long> file : files.entrySet()) {
            properties.setProperty(FILE_PREFIX + file.getKey(), Long.toString(file.getValue()));
        }
        File temporary = new File(folder, FILE_NAME + ".tmp");
        try (OutputStream out = new FileOutputStream(temporary)) {
            properties.store(out, "SegTrain libtorch install; written last, only when complete");
            ((FileOutputStream) out).getFD().sync();
        }
        if (!temporary.renameTo(new File(folder, FILE_NAME))) throw new IOException("cannot rename " + temporary);
    }

    /**
     * Why the folder cannot be used for {@code version}, or null when it is complete and intact.
     * Only sizes are compared: hashing a gigabyte at every start of Fiji would cost seconds, and
     * the installer checked every file's digest when it wrote them.
     */
    static String problem(File folder, String version) {
        File marker = new File(folder, FILE_NAME);
        if (!folder.isDirectory()) return "not there";
        if (!marker.isFile()) return "an unfinished install (no " + FILE_NAME + ")";
        Properties properties = new Properties();
        try (InputStream in = new FileInputStream(marker)) {
            properties.load(in);
        } catch (IOException e) {
            return "unreadable " + FILE_NAME + " (" + e.getMessage() + ")";
        }
        String found = properties.getProperty("version");
        if (!version.equals(found)) return "libtorch " + found + ", but this SegTrain needs " + version;
        int count = 0;
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith(FILE_PREFIX)) continue;
            count++;
            File file = new File(folder, key.substring(FILE_PREFIX.length()));
            long expected;
            try {
                expected = Long.parseLong(properties.getProperty(key).trim());
            } catch (NumberFormatException e) {
                return "a damaged " + FILE_NAME;
            }
            if (!file.isFile()) return "damaged: " + file + " is missing";
            if (file.length() != expected) return "damaged: " + file + " has " + file.length() + " bytes, not " + expected;
        }
        if (count == 0) return "a damaged " + FILE_NAME + " (it lists no files)";
        return null;
    }
}
