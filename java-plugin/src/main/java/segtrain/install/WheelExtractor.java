package segtrain.install;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Unpacks the shared libraries of a wheel (torch/lib/*.so* and nvidia/NAME/lib/*.so*), keeping the
 * wheel's folder layout so that libtorch's own RPATH ($ORIGIN/../../nvidia/...) finds the CUDA
 * libraries. Each file is checked against the SHA-256 the wheel's RECORD lists for it.
 */
final class WheelExtractor {
    private static final int BUFFER = 1 << 16;

    private WheelExtractor() {}

    /** Whether an entry of a wheel is a library SegTrain installs (and not one the flavour skips). */
    static boolean wanted(String entry, List<String> skipped) {
        String name = entry.substring(entry.lastIndexOf('/') + 1);
        if (!(name.endsWith(".so") || name.contains(".so."))) return false;
        if (skipped.contains(name)) return false;
        String[] parts = entry.split("/");
        boolean torchLib = parts.length == 3 && parts[0].equals("torch") && parts[1].equals("lib");
        boolean nvidiaLib = parts.length >= 4 && parts[0].equals("nvidia") && parts[parts.length - 2].equals("lib");
        return torchLib || nvidiaLib;
    }

    /**
     * Extracts the wanted libraries into {@code folder}; returns their paths (relative, '/') and
     * sizes for the marker. {@code listener} hears the uncompressed bytes written so far.
     */
    static Map<String, Long> extract(File wheel, File folder, List<String> skipped, Download.Listener listener) throws IOException {
        Map<String, Long> written = new HashMap<>();
        try (ZipFile zip = new ZipFile(wheel)) {
            Map<String, String> record = record(zip, wheel);
            long done = 0;
            byte[] buffer = new byte[BUFFER];
            List<ZipEntry> entries = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) entries.add(e.nextElement());
            for (ZipEntry entry : entries) {
                String name = entry.getName();
                if (entry.isDirectory() || !wanted(name, skipped)) continue;
                if (name.contains("..")) throw new IOException(wheel.getName() + " has an entry outside its folder: " + name);
                String expected = record.get(name);
                if (expected == null) throw new IOException(wheel.getName() + "'s RECORD lists no digest for " + name + ": refusing it");
                File target = new File(folder, name);
                File parent = target.getParentFile();
                if (!parent.isDirectory() && !parent.mkdirs()) throw new IOException("cannot create " + parent);
                MessageDigest digest = Download.sha256();
                long size = 0;
                try (InputStream in = zip.getInputStream(entry); OutputStream out = new FileOutputStream(target)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        if (listener.cancelled()) throw new CancellationException("libtorch installation cancelled");
                        out.write(buffer, 0, n);
                        digest.update(buffer, 0, n);
                        size += n;
                        done += n;
                        listener.transferred(done);
                    }
                }
                String actual = "sha256=" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
                if (!actual.equals(expected)) {
                    throw new IOException(name + " in " + wheel.getName() + " does not match the digest its RECORD lists: the wheel is damaged");
                }
                if (!target.setExecutable(true, false)) throw new IOException("cannot make " + target + " executable");
                written.put(name, size);
            }
        }
        return written;
    }

    /** Total uncompressed size of the wanted libraries (for the progress bar). */
    static long wantedBytes(File wheel, List<String> skipped) throws IOException {
        long total = 0;
        try (ZipFile zip = new ZipFile(wheel)) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (!entry.isDirectory() && wanted(entry.getName(), skipped)) total += Math.max(0, entry.getSize());
            }
        }
        return total;
    }

    /** path -> "sha256=..." from the wheel's *.dist-info/RECORD (PEP 376 / 427). */
    private static Map<String, String> record(ZipFile zip, File wheel) throws IOException {
        ZipEntry recordEntry = null;
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            ZipEntry entry = e.nextElement();
            String name = entry.getName();
            if (name.endsWith(".dist-info/RECORD") && name.indexOf('/') == name.lastIndexOf('/')) recordEntry = entry;
        }
        if (recordEntry == null) throw new IOException(wheel.getName() + " has no RECORD: not a wheel");
        if (recordEntry.getSize() > 64 << 20) throw new IOException(wheel.getName() + "'s RECORD is larger than 64 MB");
        Map<String, String> digests = new HashMap<>();
        try (InputStream in = zip.getInputStream(recordEntry)) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) bytes.write(buffer, 0, n);
            for (String line : new String(bytes.toByteArray(), StandardCharsets.UTF_8).split("\n")) {
                String[] fields = line.trim().split(",");
                if (fields.length >= 2 && fields[1].startsWith("sha256=")) digests.put(fields[0], fields[1]);
            }
        }
        return digests;
    }
}
