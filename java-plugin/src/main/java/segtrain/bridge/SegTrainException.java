package segtrain.bridge;

/**
 * Any native failure that is not bad input, a cancelled job or a bad handle: torch errors and
 * caught Rust panics. Rust throws it by class name "segtrain/bridge/SegTrainException" with a
 * (String) constructor, so both must stay as they are.
 */
public class SegTrainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SegTrainException(String message) {
        super(message);
    }
}
