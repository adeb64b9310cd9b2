package segtrain.bridge;

import org.junit.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class JsonTest {
    @Test
    public void parsesScalars() {
        assertEquals(Boolean.TRUE, Json.parse("true"));
        assertEquals(Boolean.FALSE, Json.parse(" false "));
        assertNull(Json.parse("null"));
        assertEquals(42L, Json.parse("42"));
        assertEquals(-7L, Json.parse("-7"));
        assertEquals(0L, Json.parse("0"));
        assertEquals(0.4123, (Double) Json.parse("0.4123"), 0);
        assertEquals(-1.5e-3, (Double) Json.parse("-1.5E-3"), 0);
        assertEquals(2e10, (Double) Json.parse("2e+10"), 0);
        // Too big for a long: still a number.
        assertEquals(1e20, (Double) Json.parse("100000000000000000000"), 0);
    }

    @Test
    public void parsesStringsWithEscapes() {
        assertEquals("a\"b\\c/d\n\t\r\b\f", Json.parse("\"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\""));
        assertEquals("\u00b5m \u00e9", Json.parse("\"\\u00b5m \\u00E9\""));
        assertEquals("\u00b5m", Json.parse("\"\u00b5m\"")); // raw UTF-16 text as well
        assertEquals("", Json.parse("\"\""));
    }

    @Test
    public void parsesNestedObjectsAndArraysInOrder() {
        Object parsed = Json.parse("[{\"kind\":\"iteration\",\"iteration\":120,\"total\":300,"
                + "\"loss\":0.4123,\"lr\":0.001,\"tags\":[],\"x\":{}} , {\"kind\" : \"finished\"}]");
        List<?> list = (List<?>) parsed;
        assertEquals(2, list.size());
        Map<?, ?> first = (Map<?, ?>) list.get(0);
        assertEquals(Arrays.asList("kind", "iteration", "total", "loss", "lr", "tags", "x"),
                Arrays.asList(first.keySet().toArray()));
        assertEquals(120L, first.get("iteration"));
        assertTrue(((List<?>) first.get("tags")).isEmpty());
        assertTrue(((Map<?, ?>) first.get("x")).isEmpty());
        assertEquals("finished", ((Map<?, ?>) list.get(1)).get("kind"));
    }

    @Test
    public void rejectsMalformedText() {
        String[] bad = {"", "   ", "{", "[1,2", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "\"open",
            "tru", "nul", "01x", "-", "1.", "1e", ".5", "[1] 2", "\"bad \\x escape\"", "\"\\u12\"", "\"tab\there\""};
        for (String text : bad) {
            try {
                Json.parse(text);
                fail("accepted malformed JSON: " + text);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().startsWith("Invalid JSON"));
            }
        }
    }

    @Test
    public void writesAndReadsBack() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("config", "Semantic2D");
        settings.put("name", "quote\" back\\ slash\n");
        settings.put("voxel_nm", new Object[] {4.6, 4.6, 50L});
        settings.put("window", new int[] {1, 64, 64});
        settings.put("base_lr", 1e-5);
        settings.put("overwrite", false);
        settings.put("none", null);
        String text = Json.write(settings);
        assertEquals("{\"config\":\"Semantic2D\",\"name\":\"quote\\\" back\\\\ slash\\n\","
                + "\"voxel_nm\":[4.6,4.6,50],\"window\":[1,64,64],\"base_lr\":1.0E-5,"
                + "\"overwrite\":false,\"none\":null}", text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals("quote\" back\\ slash\n", back.get("name"));
        assertEquals(1e-5, (Double) back.get("base_lr"), 0);
        assertEquals(Arrays.asList(1L, 64L, 64L), back.get("window"));
        assertEquals("\"\\u0001\"", Json.write("\u0001"));
    }

    @Test(expected = IllegalArgumentException.class)
    public void refusesNaN() {
        Json.write(Double.NaN);
    }
}
