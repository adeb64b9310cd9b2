package segtrain.api;

import org.junit.Test;

import static org.junit.Assert.assertEquals;

/** The titles of Auto Label's results: the image title without its file extension. */
public class PredictorTitleTest {
    @Test
    public void onlyARealImageExtensionIsRemoved() {
        assertEquals("plate2d-image", Predictor.stem("plate2d-image.tif"));
        assertEquals("cells", Predictor.stem("cells.TIFF"));
        assertEquals("cells.v2", Predictor.stem("cells.v2.tif"));
        assertEquals("embryo", Predictor.stem("embryo.ome.tif"));
        assertEquals("a.b", Predictor.stem("a.b.png"));
        assertEquals("scan", Predictor.stem("scan.jpg"));
        assertEquals("stack", Predictor.stem("stack.zip"));
        assertEquals("run.3", Predictor.stem("run.3"));
        assertEquals("notes.txt", Predictor.stem("notes.txt"));
        assertEquals("segtrain-demo-image", Predictor.stem("segtrain-demo-image"));
        assertEquals("tif", Predictor.stem("tif"));
        assertEquals(".tif", Predictor.stem(".tif"));
        assertEquals("mytif", Predictor.stem("mytif"));
    }
}
