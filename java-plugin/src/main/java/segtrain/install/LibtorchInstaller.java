package segtrain.install;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLException;

/**
 * Installs libtorch from the official wheels of a Python package index (the files scripts/setup.sh
 * uses), without Python: look the wheels up, download each (resuming an interrupted download),
 * check its SHA-256 against the index's, unpack its shared libraries into a staging folder
 * (each checked against the wheel's RECORD), write the marker, then move the folder into place.
 * Until the marker exists the folder is never used; a failed or cancelled install leaves the
 * downloads to continue from and nothing that could be loaded.
 */
public final class LibtorchInstaller {
    /** What the installer is doing, for a progress bar: a phase, and bytes done of total (-1 unknown). */
    public interface Progress {
        void update(String phase, long done, long total);

        boolean cancelled();
    }

    private final LibtorchSpec spec;
    private final String flavour;
    private final Progress progress;

    public LibtorchInstaller(LibtorchSpec spec, String flavour, Progress progress) {
        this.spec = spec;
        this.flavour = LibtorchSpec.checkFlavour(flavour);
        this.progress = progress;
    }

    /** The final folder, e.g. ~/.segtrain/libtorch/2.13.0-cpu. */
    public File folder() {
        return spec.installFolder(flavour);
    }

    /** Where downloads wait (and where wheels fetched by hand go on an offline machine). */
    public File downloads() {
        return new File(spec.installRoot(), "downloads");
    }

    /** Null when the installed folder is complete and intact, else why not. */
    public String problem() {
        return InstallMarker.problem(folder(), spec.version());
    }

    /**
     * Installs, replacing whatever unusable folder is there.
     *
     * @return the installed folder
     * @throws CancellationException when {@link Progress#cancelled()} said so
     * @throws IOException with a message that says what failed and what to do
     */
    public File install() throws IOException {
        File downloads = downloads();
        if (!downloads.isDirectory() && !downloads.mkdirs()) throw new IOException("cannot create " + downloads);
        List<File> wheels = new ArrayList<>();
        for (String requirement : spec.requirements(flavour)) wheels.add(fetch(requirement, downloads));

        File staging = new File(folder().getPath() + ".partial");
        deleteTree(staging);
        if (!staging.mkdirs()) throw new IOException("cannot create " + staging);
        List<String> skipped = spec.skipped(flavour);
        long[] sizes = new long[wheels.size()];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) total += sizes[i] = WheelExtractor.wantedBytes(wheels.get(i), skipped);
        Map<String, Long> files = new HashMap<>();
        long before = 0;
        for (int i = 0; i < sizes.length; i++) {
            File wheel = wheels.get(i);
            files.putAll(WheelExtractor.extract(wheel, staging, skipped, listener("Unpacking " + wheel.getName(), before, total)));
            before += sizes[i];
        }
        if (!files.containsKey("torch/lib/" + LibtorchLocator.CPU_LIBRARY)) {
            throw new IOException("the wheels held no torch/lib/" + LibtorchLocator.CPU_LIBRARY + ": not a libtorch");
        }
        new InstallMarker(spec.version(), flavour, files).write(staging);
        File target = folder();
        deleteTree(target);
        if (!staging.renameTo(target)) throw new IOException("cannot rename " + staging + " to " + target);
        for (File wheel : wheels) Download.delete(wheel); // a gigabyte the install no longer needs
        progress.update("Installed libtorch " + spec.version() + " (" + flavour + ")", 0, -1);
        return target;
    }

    /** The wheel of a requirement in the downloads folder, downloaded and checked. */
    private File fetch(String requirement, File downloads) throws IOException {
        Wheel wheel;
        URL page = new URL(spec.index() + Wheel.nameAndVersion(requirement)[0] + "/");
        try {
            progress.update("Looking up " + requirement + " at " + spec.index(), 0, -1);
            wheel = Wheel.fromIndexPage(requirement, Download.text(page), page);
        } catch (IOException e) {
            if (!unreachable(e)) throw e;
            Wheel byHand = Wheel.inFolder(requirement, downloads);
            if (byHand == null) throw offline(e);
            // Offline with a wheel fetched by hand: its RECORD still checks every library unpacked.
            progress.update("Offline: using " + byHand.fileName + " from " + downloads, 0, -1);
            return new File(downloads, byHand.fileName);
        }
        File file = new File(downloads, wheel.fileName);
        if (!(file.isFile() && wheel.sha256.equals(Download.sha256(file, listener("Checking " + wheel.fileName, 0, file.length()))))) {
            Download.delete(file);
            try {
                Download.file(wheel.url, file, wheel.size, listener("Downloading " + wheel.fileName, 0, wheel.size));
            } catch (IOException e) {
                throw unreachable(e) ? offline(e) : e;
            }
            String actual = Download.sha256(file, listener("Checking " + wheel.fileName, 0, file.length()));
            if (!wheel.sha256.equals(actual)) {
                Download.delete(file);
                throw new IOException(wheel.fileName + " does not match the SHA-256 the index publishes (" + wheel.sha256
                        + ", the file has " + actual + "): deleted, nothing installed. Run the installation again;"
                        + " if it repeats, something between here and the index alters files.");
            }
        }
        return file;
    }

    private Download.Listener listener(final String phase, final long offset, final long total) {
        return new Download.Listener() {
            @Override
            public void transferred(long bytes) {
                progress.update(phase, offset + bytes, total);
            }

            @Override
            public boolean cancelled() {
                return progress.cancelled();
            }
        };
    }

    private static boolean unreachable(IOException e) {
        return e instanceof UnknownHostException || e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof SocketTimeoutException || e instanceof SSLException
                || String.valueOf(e.getMessage()).contains("answered 407");
    }

    /** The index or a file server cannot be reached: say why and how to install by hand. */
    private IOException offline(IOException cause) {
        StringBuilder message = new StringBuilder("cannot reach " + spec.index() + " (" + cause.getClass().getSimpleName()
                + ": " + cause.getMessage() + ").\nBehind a proxy, set it in Edit > Options > Proxy Settings... (or java's"
                + " -Dhttps.proxyHost/-Dhttps.proxyPort). Offline, fetch these wheels for linux x86_64 on a machine with"
                + " internet (any Python version tag):");
        for (String requirement : spec.requirements(flavour)) {
            String[] parts = Wheel.nameAndVersion(requirement);
            message.append("\n  ").append(requirement).append(": https://pypi.org/project/").append(parts[0]).append("/")
                    .append(parts[1]).append("/#files");
        }
        message.append("\nput them in ").append(downloads()).append(" and run the installation again.");
        IOException error = new IOException(message.toString());
        error.initCause(cause);
        return error;
    }

    static void deleteTree(File file) throws IOException {
        if (!file.exists()) return;
        File[] children = file.isDirectory() && !java.nio.file.Files.isSymbolicLink(file.toPath()) ? file.listFiles() : null;
        if (children != null) for (File child : children) deleteTree(child);
        if (!file.delete()) throw new IOException("cannot delete " + file);
    }
}
