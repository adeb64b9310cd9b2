package segtrain.ij;

/**
 * The only setting keys Java itself acts on (every other key lives in the Rust schema alone, and
 * the JUnit test SchemaKeysTest fails when a Java literal repeats one): the new model's name,
 * which titles the training window and Log lines, and the dialog-only choice of where Auto
 * Label's objects go. The same test checks that the schema still has these keys.
 */
final class Keys {
    private Keys() {}

    /** Train: the name of the model being trained. */
    static final String MODEL_NAME = "model_name";
    /** Labels from ROIs: the value of unannotated pixels, which Java writes itself. */
    static final String IGNORE_LABEL = "ignore_label";
    /** Auto Label: none, roi_manager or overlay. */
    static final String ROIS = "rois";
}
