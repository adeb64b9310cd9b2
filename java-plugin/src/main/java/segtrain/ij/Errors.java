package segtrain.ij;

import ij.IJ;
import ij.Macro;
import ij.macro.Interpreter;
import segtrain.bridge.NativeLoader;

/**
 * How the plugins report a failure.
 *
 * <p>Interactive: an error dialog. From a macro: never a dialog (under a virtual display or in
 * -batch mode nobody can close it, and ImageJ waits forever); instead a log line, which -batch
 * mode prints on stdout, and then the macro is aborted so that its next lines do not run on
 * missing results. Measured with ImageJ 1.53t in -batch mode: a RuntimeException thrown by a
 * plugin only prints a stack trace and the macro goes on, and so do Macro.abort() and
 * Macro.MACRO_CANCELED; Interpreter.abortMacro() is what stops the macro, after which -batch
 * exits the JVM normally.
 */
final class Errors {
    static final String TITLE = "SegTrain";

    private Errors() {}

    /** A menu command's work; whatever it throws is reported by {@link #command}. */
    interface Work {
        void run() throws Exception;
    }

    /**
     * Runs a menu command's work: loads the native library first (so a missing one is reported
     * as such, not as NoClassDefFoundError), reports a failure once, lets ImageJ's own macro abort
     * pass, and always leaves the progress bar cleared.
     */
    static void command(Work work) {
        Throwable failure = null;
        try {
            NativeLoader.load();
            work.run();
        } catch (Throwable t) {
            if (isMacroAbort(t)) throw (RuntimeException) t;
            failure = t;
        } finally {
            IJ.showProgress(1.0);
        }
        if (failure != null) report(failure);
    }

    /** ImageJ's own "stop the macro" (e.g. after an earlier report): not a failure of ours. */
    static boolean isMacroAbort(Throwable t) {
        return t instanceof RuntimeException && Macro.MACRO_CANCELED.equals(t.getMessage());
    }

    static boolean fromMacro() {
        return Macro.getOptions() != null || IJ.isMacro();
    }

    /**
     * Reports the failure; from a macro it also throws, so callers simply return afterwards.
     * A missing libtorch, interactively, comes with the offer to install it.
     */
    static void report(Throwable error) {
        if (error instanceof NativeLoader.LibtorchMissingError && !fromMacro()) {
            if (IJ.showMessageWithCancel(TITLE, message(error) + "\n \nInstall libtorch now? (OK opens the installer)")) {
                IJ.run("Install libtorch...");
            }
            return;
        }
        report(message(error));
    }

    static void report(String message) {
        if (!fromMacro()) {
            IJ.error(TITLE, message);
            return;
        }
        IJ.log("SegTrain error: " + message);
        Interpreter macro = Interpreter.getInstance();
        if (macro != null) {
            macro.abortMacro();
            // MACRO_CANCELED is ImageJ's own "stop quietly": no second stack trace after our log line.
            throw new RuntimeException(Macro.MACRO_CANCELED);
        }
        // Called with options from Java code rather than a macro: fail the call itself.
        throw new RuntimeException("SegTrain: " + message);
    }

    /** The native side's message as is: it names the field or file; a class name adds nothing. */
    static String message(Throwable error) {
        String message = error.getMessage();
        if (message == null || message.trim().isEmpty()) message = error.getClass().getSimpleName();
        if (message.startsWith("SegTrain: ")) message = message.substring("SegTrain: ".length());
        if (error instanceof OutOfMemoryError) {
            message = "out of memory (" + message + "); start ImageJ with a larger -Xmx or use smaller stacks";
        } else if (error instanceof UnsatisfiedLinkError && !(error instanceof NativeLoader.LibtorchMissingError
                || error instanceof NativeLoader.NativeLoadError)) {
            // A native method without its function: the library comes from another build than the jar.
            message = "libsegtrain_jni.so lacks the native function " + message + ": SegTrain_.jar and libsegtrain_jni.so"
                    + " come from different builds. Install both from one SegTrain package (or gradle installPlugin).";
        }
        return message;
    }
}
