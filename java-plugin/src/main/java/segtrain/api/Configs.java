package segtrain.api;

import segtrain.bridge.Events;
import segtrain.bridge.Native;

import java.util.List;
import java.util.Map;

/** The training configs compiled into the native library, and where models go by default. */
public final class Configs {
    private Configs() {}

    /** Config names, e.g. "Semantic2D". */
    public static List<String> names() {
        return Events.parseStrings(Native.configNames());
    }

    /** The config's settings (its defaults), e.g. "base_lr", "window", "voxel_nm". */
    public static Map<String, Object> defaults(String name) {
        return Events.parseObject(Native.configJson(name));
    }

    /** $SEGTRAIN_MODELS_DIR or ~/.segtrain/models, as the native side decides. */
    public static String defaultModelsDir() {
        return Native.defaultModelsDir();
    }
}
