package segtrain.api;

import segtrain.bridge.Events;
import segtrain.bridge.Native;

import java.util.List;
import java.util.Map;

/** A job running on a Rust thread behind a handle: training or auto-label. */
public abstract class NativeJob implements AutoCloseable {
    private long handle;
    private Map<String, Object> result;

    NativeJob(long handle) {
        this.handle = handle;
    }

    /** The live handle; after close() any use is an error, as in Rust. */
    long handle() {
        if (handle == 0) throw new IllegalStateException("this SegTrain job is closed");
        return handle;
    }

    /** Events since the last poll, oldest first; never blocks. */
    public List<Map<String, Object>> poll() {
        return Events.parseArray(Native.jobPoll(handle()));
    }

    /** True once the native job has ended (finished, failed or cancelled). */
    public boolean isDone() {
        return Native.jobIsDone(handle());
    }

    /** Asks the job to stop at the next iteration or window; returns at once. */
    public void cancel() {
        Native.jobCancel(handle());
    }

    /**
     * Waits for the job's end (once; later calls return the same map).
     *
     * @throws IllegalArgumentException invalid settings or input, naming the field
     * @throws java.util.concurrent.CancellationException when the job was cancelled
     */
    public Map<String, Object> finish() {
        if (result == null) result = Events.parseObject(Native.jobFinish(handle()));
        return result;
    }

    /** Releases the native job (cancelling it if it still runs). Safe to call twice. */
    @Override
    public void close() {
        if (handle != 0) {
            Native.jobClose(handle);
            handle = 0;
        }
    }
}
