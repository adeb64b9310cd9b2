package segtrain.bridge;

/**
 * Every native entry point of libsegtrain_jni, in one place. The bridge is not API: callers use
 * the facades in {@code segtrain.api}. All strings that carry structure are JSON produced and
 * validated by Rust; Java never re-implements validation.
 *
 * <p>Exceptions thrown by every method: IllegalArgumentException (invalid settings or input, with
 * Rust's message naming the field), java.io.IOException (files), java.util.concurrent.CancellationException
 * (a cancelled job, from {@link #jobFinish}), IllegalStateException (0, closed or unknown handle),
 * segtrain.bridge.SegTrainException (anything else: torch errors, caught Rust panics).
 */
public final class Native {
    private Native() {}

    static { NativeLoader.load(); }

    /** Version of the native library, e.g. "0.1.0 (libtorch 2.13.0, cpu)". */
    public static native String version();

    /**
     * JSON object of what this process runs with: {"segtrain", "libtorch" (version), "libtorch_folder",
     * "flavour" ("cpu"|"cuda"), "cuda_devices", "cuda_note" (why there are none, or null)}.
     */
    public static native String runtimeInfo();

    /** JSON array of the training config names compiled into the library, e.g. ["Instance2D", ...]. */
    public static native String configNames();

    /** The config's full JSON text (its defaults fill the dialog). */
    public static native String configJson(String name);

    /** The models folder used when the settings name none ($SEGTRAIN_MODELS_DIR or ~/.segtrain/models). */
    public static native String defaultModelsDir();

    /**
     * The settings of a command ("train", "resume", "auto_label", "tune", "evaluate"): title,
     * intro, footer and fields (key, kind, label, unit, group, default, range, choices, help, ...);
     * {@code contextJson} holds what the defaults depend on (config, model, calibration).
     */
    public static native String schema(String command, String contextJson);

    /**
     * Throws IllegalArgumentException (what to do) for an open image SegTrain cannot read as one
     * grayscale stack: RGB, several channels, z slices and time frames together.
     *
     * @param descriptionJson {"role" ("image", "labels", "truth", "segmentation"), "title", "bit_depth",
     *                        "channels", "slices", "frames"}
     */
    public static native void checkImage(String descriptionJson);

    /** JSON array of the stored models in modelsDir: [{"name":..,"config":..,"iterations":..}, ...]. */
    public static native String listModels(String modelsDir);

    /**
     * Validates the settings and the stacks, then starts training on a Rust thread.
     *
     * @param settingsJson settings object (keys: see TrainSettings in native/core/src/settings)
     * @param image        one float[] per slice, row-major, width*height values each
     * @param labels       one int[] (raw 8/16-bit values) or float[] (32-bit images) per slice,
     *                     row-major, labelWidth*labelHeight values each; the sizes are passed
     *                     separately so that Rust can say how the stacks differ
     * @return a job handle for jobPoll / jobCancel / jobFinish / jobClose
     */
    public static native long trainStart(String settingsJson, float[][] image, int width, int height,
                                         Object[] labels, int labelWidth, int labelHeight);

    /**
     * Checks and starts continuing a stored model from its newest checkpoint, on the stacks it was
     * trained on (same shape); its settings come from its model.json. Events and result as trainStart.
     *
     * @param settingsJson {"name", "models_dir" (optional), "iteration_total" (optional: raise it to
     *                     train on)}
     */
    public static native long resumeStart(String settingsJson, float[][] image, int width, int height,
                                          Object[] labels, int labelWidth, int labelHeight);

    /**
     * Starts tuning a stored model's post-processing on a labelled stack it did not train on
     * (the result is stored in its model.json).
     *
     * @param settingsJson {"name", "models_dir", "weights" ("final"|"best"), "voxel_nm", "cpus"} (see
     *                     TuneSettings in native/core/src/train/tune.rs)
     * @return a job handle; its result JSON is the tuning report (metric, before, after, changes, ...)
     */
    public static native long tuneStart(String settingsJson, float[][] image, int width, int height,
                                        Object[] labels, int labelWidth, int labelHeight);

    /**
     * Validates the auto-label settings and starts labelling on a Rust thread.
     *
     * @param settingsJson settings object (keys: see PredictSettings in native/core/src/infer/predict.rs:
     *                     name, models_dir, overlap, tta, gpus, cpus, batch, probabilities, voxel_nm,
     *                     weights, threshold, instance {foreground_threshold, seed_foreground, seed_contour,
     *                     seed_distance, min_seed_size, min_size, max_hole_size, link_sections})
     * @param image        one float[] per slice, row-major, width*height values each
     * @return a job handle; its result JSON (jobFinish) is {"slices","height","width","max_label",
     *         "outputs":[channel names],"config","kind":"semantic"|"instance","per_slice":bool}; then
     *         predictLabels / predictProbabilities fetch the images
     */
    public static native long predictStart(String settingsJson, float[][] image, int width, int height);

    /** The label image of a finished auto-label job: one int[] per slice (classes or object ids). */
    public static native int[][] predictLabels(long handle);

    /** Probability map of output channel c of a finished auto-label job (if requested): one float[] per slice. */
    public static native float[][] predictProbabilities(long handle, int channel);

    /**
     * Compares a segmentation with ground truth (synchronously).
     * @param settingsJson the "evaluate" schema's settings: kind (semantic, foreground or instance), per_slice
     * @return the report JSON: semantic {"kind","classes","iou","dice","pixel_accuracy","mean_iou"},
     *         instance {"kind","ap50","map","precision","recall","f1","true_positives","false_positives",
     *         "false_negatives","arand","voi_split","voi_merge"}
     */
    public static native String evaluate(String settingsJson, Object[] truth, int truthWidth, int truthHeight,
                                         Object[] prediction, int width, int height);

    /** JSON array of the events since the last poll (never blocks). */
    public static native String jobPoll(long handle);

    /** True once the job's thread has ended (finished, failed or cancelled). */
    public static native boolean jobIsDone(long handle);

    /** Asks the job to stop at the next iteration boundary; returns at once. */
    public static native void jobCancel(long handle);

    /** Blocks until the job ends; returns its result JSON or throws its error. */
    public static native String jobFinish(long handle);

    /** Releases the handle (cancels a running job first). Idempotent. */
    public static native void jobClose(long handle);

    /**
     * The project's own generated demo data (blobs with EM-like texture), identical for a seed.
     * @param settingsJson the "demo_data" settings (slices, height, width, seed)
     * @return {float[][] image (one slice each, values 0..255), int[][] labels (0 = background, 1 = object),
     *         int[][] {{slices, height, width}}}
     */
    public static native Object[] demoStacks(String settingsJson);

    /** Test hook: panics inside Rust with this message (must arrive as SegTrainException). */
    public static native void panicForTest(String message);
}
