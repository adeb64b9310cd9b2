package segtrain.install;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A real HTTP server on localhost speaking the PEP 691 JSON index and serving real wheel (zip)
 * files with RECORDs, for the installer's tests. It can publish a wrong digest, cut a download
 * half-way, and ignore Range requests.
 */
final class FakeIndex implements AutoCloseable {
    final HttpServer server;
    final Map<String, byte[]> wheels = new LinkedHashMap<>(); // file name -> bytes
    final Map<String, String> publishedSha = new LinkedHashMap<>();
    final List<String> rangeRequests = Collections.synchronizedList(new ArrayList<String>());
    volatile boolean supportRanges = true;
    /** Cut the next file response after this many bytes (0: never). */
    volatile int cutNextAfter;

    FakeIndex() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/simple/", this::page);
        server.createContext("/files/", this::file);
        server.start();
    }

    String index() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple/";
    }

    /** Adds a wheel holding {@code entries} (path -> size in bytes of random content) and a RECORD. */
    byte[] addWheel(String fileName, Map<String, Integer> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringBuilder record = new StringBuilder();
        Random random = new Random(fileName.hashCode());
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, Integer> entry : entries.entrySet()) {
                byte[] content = new byte[entry.getValue()];
                random.nextBytes(content);
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(content);
                zip.closeEntry();
                String digest = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(content));
                record.append(entry.getKey()).append(",sha256=").append(digest).append(",").append(content.length).append("\n");
            }
            String distInfo = fileName.substring(0, fileName.indexOf('-', fileName.indexOf('-') + 1)) + ".dist-info/RECORD";
            zip.putNextEntry(new ZipEntry(distInfo));
            zip.write(record.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        byte[] wheel = bytes.toByteArray();
        wheels.put(fileName, wheel);
        publishedSha.put(fileName, hex(MessageDigest.getInstance("SHA-256").digest(wheel)));
        return wheel;
    }

    private void page(HttpExchange exchange) throws IOException {
        String project = exchange.getRequestURI().getPath().substring("/simple/".length()).replace("/", "");
        String prefix = project.replace('-', '_') + "-";
        StringBuilder json = new StringBuilder("{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"" + project + "\",\"files\":[");
        boolean first = true;
        for (Map.Entry<String, byte[]> wheel : wheels.entrySet()) {
            if (!wheel.getKey().startsWith(prefix)) continue;
            if (!first) json.append(",");
            first = false;
            json.append("{\"filename\":\"").append(wheel.getKey()).append("\",\"url\":\"../../files/").append(wheel.getKey())
                    .append("\",\"hashes\":{\"sha256\":\"").append(publishedSha.get(wheel.getKey())).append("\"},\"size\":")
                    .append(wheel.getValue().length).append(",\"yanked\":false}");
        }
        json.append("]}");
        send(exchange, 200, json.toString().getBytes(StandardCharsets.UTF_8), 0, 0);
    }

    private void file(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getPath().substring("/files/".length());
        byte[] wheel = wheels.get(name);
        if (wheel == null) {
            send(exchange, 404, new byte[0], 0, 0);
            return;
        }
        String range = exchange.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null) {
            rangeRequests.add(range);
            if (supportRanges) from = Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
        }
        int cut = cutNextAfter;
        cutNextAfter = 0;
        send(exchange, from > 0 ? 206 : 200, wheel, from, cut);
    }

    /** Sends body[from..]; with cutAfter > 0 only that many bytes, then the connection is dropped. */
    private static void send(HttpExchange exchange, int status, byte[] body, int from, int cutAfter) throws IOException {
        exchange.sendResponseHeaders(status, body.length - from);
        OutputStream out = exchange.getResponseBody();
        int end = cutAfter > 0 ? from + cutAfter : body.length;
        out.write(body, from, end - from);
        out.flush();
        exchange.close(); // short of the announced length, the server drops the connection
    }

    static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) hex.append(String.format("%02x", b & 0xff));
        return hex.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
