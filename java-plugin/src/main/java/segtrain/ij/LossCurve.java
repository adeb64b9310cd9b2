package segtrain.ij;

import ij.gui.Plot;
import ij.gui.PlotWindow;
import ij.macro.Interpreter;
import segtrain.bridge.Events;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The live training curve in a plot window: training loss (mean over the last log interval) per
 * iteration, and validation loss and IoU whenever the validation block is scored. Redrawn at most
 * once a second so that a fast training does not spend its time painting. Not shown headless or
 * in batch mode (nobody could see it); training_log.csv has the same numbers.
 */
final class LossCurve {
    private static final long REDRAW_MS = 1000;

    private final String title;
    private final List<Double> iterations = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private final List<Double> validationIterations = new ArrayList<>();
    private final List<Double> validationLosses = new ArrayList<>();
    private final List<Double> validationIous = new ArrayList<>();
    private PlotWindow window;
    private long drawnAt;

    LossCurve(String modelName) {
        this.title = "SegTrain [" + modelName + "] training curve";
    }

    /** Takes an iteration or validation event (others are ignored); true when it added a point. */
    boolean add(Map<String, Object> event) {
        switch (Events.kind(event)) {
            case "iteration":
                iterations.add((double) Events.integer(event, "iteration", 0));
                losses.add(Events.num(event, "loss", Double.NaN));
                return true;
            case "validation":
                validationIterations.add((double) Events.integer(event, "iteration", 0));
                validationLosses.add(Events.num(event, "loss", Double.NaN));
                validationIous.add(Events.num(event, "iou", Double.NaN));
                return true;
            default:
                return false;
        }
    }

    /** The curve as an ImageJ plot: series "training loss", then (once scored) "validation loss" and "validation IoU". */
    Plot plot() {
        Plot plot = new Plot(title, "iteration", "loss / IoU");
        plot.setColor(Color.BLUE);
        plot.addPoints(array(iterations), array(losses), Plot.LINE);
        plot.setLabel(-1, "training loss");
        if (!validationIterations.isEmpty()) {
            plot.setColor(Color.RED);
            plot.addPoints(array(validationIterations), array(validationLosses), Plot.CONNECTED_CIRCLES);
            plot.setLabel(-1, "validation loss");
            plot.setColor(new Color(0, 140, 0));
            plot.addPoints(array(validationIterations), array(validationIous), Plot.CONNECTED_CIRCLES);
            plot.setLabel(-1, "validation IoU");
        }
        plot.addLegend(null, "top-right");
        plot.setLimitsToFit(false);
        return plot;
    }

    /** Shows or redraws the window (throttled; {@code force} for the last state). */
    void show(boolean force) {
        if (!visible() || iterations.isEmpty()) return;
        long now = System.currentTimeMillis();
        if (!force && now - drawnAt < REDRAW_MS) return;
        drawnAt = now;
        if (window == null || window.isClosed()) {
            window = plot().show(); // closed by the user: a new window next time, not an error
        } else {
            window.drawPlot(plot());
        }
    }

    private static boolean visible() {
        return !GraphicsEnvironment.isHeadless() && !Interpreter.isBatchMode();
    }

    private static double[] array(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }
}
