package segtrain.ij;

import ij.IJ;
import segtrain.api.NativeJob;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/** Follows a native job to its end inside an ImageJ command: events as they come, Esc cancels. */
final class JobWatch {
    private JobWatch() {}

    static final int POLL_MS = 200;

    /**
     * @param stopping the Log text when Esc asks the job to stop, e.g. "stopping at the next iteration (Esc)..."
     * @return the job's result, or null when it was cancelled
     */
    static Map<String, Object> run(NativeJob job, String name, String stopping, Consumer<Map<String, Object>> onEvent)
            throws InterruptedException {
        IJ.resetEscape();
        boolean cancelled = false;
        boolean done;
        do {
            done = job.isDone(); // read before polling, so the last poll sees every event
            for (Map<String, Object> event : job.poll()) onEvent.accept(event);
            if (!done && !cancelled && IJ.escapePressed()) {
                job.cancel();
                cancelled = true;
                IJ.log("SegTrain [" + name + "] " + stopping);
            }
            if (!done) Thread.sleep(POLL_MS);
        } while (!done);
        try {
            return job.finish();
        } catch (CancellationException e) {
            IJ.showStatus("SegTrain: cancelled");
            return null;
        }
    }
}
