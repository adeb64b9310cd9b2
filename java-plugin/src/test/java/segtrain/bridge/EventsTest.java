package segtrain.bridge;

import org.junit.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

public class EventsTest {
    @Test
    public void readsEventArrays() {
        List<Map<String, Object>> events = Events.parseArray("[{\"kind\":\"iteration\",\"iteration\":10,"
                + "\"total\":300,\"loss\":0.5,\"lr\":0.02,\"elapsed_s\":1.5,\"eta_s\":43.2},"
                + "{\"kind\":\"checkpoint\",\"iteration\":20,\"path\":\"/m/checkpoints/iter_000020.safetensors\"}]");
        assertEquals(2, events.size());
        Map<String, Object> first = events.get(0);
        assertEquals("iteration", Events.kind(first));
        assertEquals(10, Events.integer(first, "iteration", -1));
        assertEquals(0.5, Events.num(first, "loss", -1), 0);
        assertEquals(-1, Events.num(first, "missing", -1), 0);
        assertEquals("/m/checkpoints/iter_000020.safetensors", Events.str(events.get(1), "path", null));
        assertEquals("", Events.kind(Events.parseObject("{}")));
    }

    @Test
    public void emptyPollsGiveEmptyLists() {
        assertTrue(Events.parseArray("[]").isEmpty());
        assertTrue(Events.parseArray("").isEmpty());
        assertTrue(Events.parseArray(null).isEmpty());
    }

    @Test
    public void readsNumberArraysAndStrings() {
        Map<String, Object> config = Events.parseObject("{\"window\":[1,128,128],\"voxel_nm\":[5.0,5.0,40.0],\"x\":[\"a\"]}");
        assertArrayEquals(new double[] {1, 128, 128}, Events.numbers(config, "window"), 0);
        assertArrayEquals(new double[] {5, 5, 40}, Events.numbers(config, "voxel_nm"), 0);
        assertNull(Events.numbers(config, "x"));
        assertNull(Events.numbers(config, "missing"));
        assertEquals(Arrays.asList("Semantic2D", "Instance2D"), Events.parseStrings("[\"Semantic2D\",\"Instance2D\"]"));
    }

    @Test(expected = IllegalArgumentException.class)
    public void anObjectIsNotAnArray() {
        Events.parseArray("{\"kind\":\"started\"}");
    }
}
