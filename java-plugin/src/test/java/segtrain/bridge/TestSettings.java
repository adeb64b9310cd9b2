package segtrain.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Settings and folders shared by the tests that run the native library. */
public final class TestSettings {
    private TestSettings() {}

    /** A valid Semantic2D run on 64x64 windows of a 64x64 stack (so without a validation block); callers override single keys. */
    public static Map<String, Object> tiny(Path modelsDir, String name, long iterations, long save) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("config", "Semantic2D");
        s.put("model_name", name);
        s.put("models_folder", modelsDir.toString());
        s.put("x_nm", 5);
        s.put("y_nm", 5);
        s.put("z_nm", 40);
        s.put("gpus", 0);
        s.put("cpus", 2);
        s.put("base_lr", 0.02);
        s.put("iteration_step", 1);
        s.put("iteration_save", save);
        s.put("iteration_total", iterations);
        s.put("samples_per_batch", 1);
        s.put("window_size", "1,64,64");
        s.put("seed", 1);
        s.put("log_every", 1);
        s.put("validation_fraction", 0);
        s.put("overwrite", false);
        return s;
    }

    public static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
