package segtrain.install;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CancellationException;

/** HTTP(S) transfers of the installer: small pages, and large files that resume where they stopped. */
final class Download {
    static final int TIMEOUT_MS = 30_000;
    private static final int BUFFER = 1 << 16;

    /** Bytes arrived so far and whether to stop. */
    interface Listener {
        void transferred(long bytes);

        boolean cancelled();
    }

    private Download() {}

    /** A small text (an index page), asking for PEP 691 JSON. */
    static String text(URL url) throws IOException {
        URLConnection connection = open(url);
        connection.setRequestProperty("Accept", "application/vnd.pypi.simple.v1+json");
        checkStatus(connection, url);
        try (InputStream in = connection.getInputStream()) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (out.size() > 64 << 20) throw new IOException(url + " answered with more than 64 MB for an index page");
                out.write(buffer, 0, n);
            }
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Downloads {@code url} to {@code target}, through {@code target}.part: when a .part file is
     * there from an interrupted attempt, asks only for the rest (HTTP Range) and appends; a server
     * that answers with the whole file instead restarts it. The .part file is kept when the
     * transfer stops (error, cancel), so that the next attempt continues it.
     */
    static void file(URL url, File target, long expectedSize, Listener listener) throws IOException {
        File part = new File(target.getPath() + ".part");
        long have = part.isFile() ? part.length() : 0;
        if (expectedSize > 0 && have > expectedSize) {
            delete(part);
            have = 0;
        }
        URLConnection connection = open(url);
        if (have > 0) connection.setRequestProperty("Range", "bytes=" + have + "-");
        int status = checkStatus(connection, url);
        boolean append = have > 0 && status == HttpURLConnection.HTTP_PARTIAL;
        if (!append) have = 0;
        listener.transferred(have);
        try (InputStream in = connection.getInputStream(); OutputStream out = new FileOutputStream(part, append)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (listener.cancelled()) throw new CancellationException("libtorch installation cancelled");
                out.write(buffer, 0, n);
                have += n;
                listener.transferred(have);
            }
        }
        if (expectedSize > 0 && have != expectedSize) {
            throw new IOException("the download of " + url + " stopped at " + have + " of " + expectedSize
                    + " bytes; run the installation again to continue it");
        }
        if (!part.renameTo(target)) throw new IOException("cannot rename " + part + " to " + target);
    }

    /** Lower-case hex SHA-256 of a file. */
    static String sha256(File file, Listener listener) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new FileInputStream(file)) {
            byte[] buffer = new byte[BUFFER];
            long done = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (listener.cancelled()) throw new CancellationException("libtorch installation cancelled");
                digest.update(buffer, 0, n);
                done += n;
                listener.transferred(done);
            }
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : digest.digest()) hex.append(String.format("%02x", b & 0xff));
        return hex.toString();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    static void delete(File file) throws IOException {
        if (file.exists() && !file.delete()) throw new IOException("cannot delete " + file);
    }

    private static URLConnection open(URL url) throws IOException {
        URLConnection connection = url.openConnection();
        connection.setConnectTimeout(TIMEOUT_MS);
        connection.setReadTimeout(TIMEOUT_MS);
        connection.setRequestProperty("User-Agent", "SegTrain libtorch installer");
        return connection;
    }

    private static int checkStatus(URLConnection connection, URL url) throws IOException {
        if (!(connection instanceof HttpURLConnection)) return HttpURLConnection.HTTP_OK; // file: URLs (a local mirror)
        int status = ((HttpURLConnection) connection).getResponseCode();
        if (status == HttpURLConnection.HTTP_PROXY_AUTH) {
            throw new IOException(url + " answered 407: the proxy wants a login (Edit > Options > Proxy Settings... in Fiji)");
        }
        if (status != HttpURLConnection.HTTP_OK && status != HttpURLConnection.HTTP_PARTIAL) {
            throw new IOException(url + " answered HTTP " + status);
        }
        return status;
    }
}
