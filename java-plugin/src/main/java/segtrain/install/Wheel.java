package segtrain.install;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.util.List;
import java.util.Map;

import segtrain.bridge.Json;

/**
 * One wheel file of a PEP 691 (JSON) simple index: its name, address, published SHA-256 and size.
 * Only manylinux x86_64 wheels are considered: the shared libraries are all SegTrain takes.
 */
final class Wheel {
    final String requirement;
    final String fileName;
    final URL url;
    /** Lower-case hex; null when the wheel was put in the downloads folder by hand (offline). */
    final String sha256;
    final long size;

    Wheel(String requirement, String fileName, URL url, String sha256, long size) {
        this.requirement = requirement;
        this.fileName = fileName;
        this.url = url;
        this.sha256 = sha256;
        this.size = size;
    }

    /** "torch==2.13.0" split into its name and version. */
    static String[] nameAndVersion(String requirement) {
        int at = requirement.indexOf("==");
        if (at <= 0) throw new IllegalStateException("segtrain/libtorch.properties: '" + requirement + "' is not name==version");
        return new String[] {requirement.substring(0, at), requirement.substring(at + 2)};
    }

    /** The file-name prefix of a wheel: name with - and . as _, then -version- (PEP 427). */
    static String prefix(String requirement) {
        String[] parts = nameAndVersion(requirement);
        return parts[0].toLowerCase().replaceAll("[-_.]+", "_") + "-" + parts[1] + "-";
    }

    /** True for a wheel of this requirement that runs on linux x86_64 (any CPython tag: the libraries are the same). */
    static boolean matches(String requirement, String fileName) {
        return fileName.startsWith(prefix(requirement)) && fileName.endsWith(".whl")
                && fileName.contains("manylinux") && fileName.contains("x86_64") && !fileName.contains("cp314t");
    }

    /** Picks this requirement's wheel from the index page's JSON (the first match by name: deterministic). */
    @SuppressWarnings("unchecked")
    static Wheel fromIndexPage(String requirement, String pageJson, URL page) throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(pageJson);
        } catch (RuntimeException e) {
            throw new IOException(page + " did not answer with a PEP 691 JSON index page: " + e.getMessage());
        }
        Object files = parsed instanceof Map ? ((Map<String, Object>) parsed).get("files") : null;
        if (!(files instanceof List)) throw new IOException(page + " did not answer with a PEP 691 JSON index page (no \"files\")");
        Map<String, Object> best = null;
        for (Object entry : (List<Object>) files) {
            if (!(entry instanceof Map)) continue;
            Map<String, Object> file = (Map<String, Object>) entry;
            Object name = file.get("filename");
            if (!(name instanceof String) || !matches(requirement, (String) name) || Boolean.TRUE.equals(file.get("yanked"))) continue;
            if (best == null || ((String) name).compareTo((String) best.get("filename")) < 0) best = file;
        }
        if (best == null) {
            throw new IOException(page + " has no linux x86_64 wheel of " + requirement);
        }
        Object hashes = best.get("hashes");
        Object sha = hashes instanceof Map ? ((Map<String, Object>) hashes).get("sha256") : null;
        if (!(sha instanceof String)) throw new IOException(page + " publishes no SHA-256 for " + best.get("filename") + ": refusing to install it unchecked");
        Object size = best.get("size");
        return new Wheel(requirement, (String) best.get("filename"), new URL(page, (String) best.get("url")),
                ((String) sha).toLowerCase(), size instanceof Number ? ((Number) size).longValue() : -1);
    }

    /** A wheel of this requirement already in {@code folder} (put there by hand), or null. */
    static Wheel inFolder(String requirement, File folder) {
        String[] names = folder.list();
        if (names == null) return null;
        java.util.Arrays.sort(names);
        for (String name : names) {
            File file = new File(folder, name);
            if (matches(requirement, name) && file.isFile()) return new Wheel(requirement, name, null, null, file.length());
        }
        return null;
    }
}
