package io.nightjar.common.dataset;

import static org.junit.Assert.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** {@link Json} writes the layout nightjar's JSON files always had and reads back the types their readers expect. */
public class JsonTest {

  @Test
  public void prettyIsJacksonsDefaultLayout() {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("id", "r-1");
    run.put("start", null);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("format", "nightjar-manifest/1");
    fields.put("arguments", new String[] {"--date", "a \"b\"\n"});
    fields.put("records", 3_000_000_000L);
    fields.put("rate", 0.25);
    fields.put("none", List.of());
    fields.put("empty", Map.of());
    fields.put("run", run);
    assertEquals("{\n"
        + "  \"format\" : \"nightjar-manifest/1\",\n"
        + "  \"arguments\" : [ \"--date\", \"a \\\"b\\\"\\n\" ],\n"
        + "  \"records\" : 3000000000,\n"
        + "  \"rate\" : 0.25,\n"
        + "  \"none\" : [ ],\n"
        + "  \"empty\" : { },\n"
        + "  \"run\" : {\n"
        + "    \"id\" : \"r-1\",\n"
        + "    \"start\" : null\n"
        + "  }\n"
        + "}", Json.pretty(fields));
    assertEquals("[\"a\",\"b c\"]", Json.compact(List.of("a", "b c")));
  }

  @Test
  public void readsObjectsInOrderAndNumbersAsTheSmallestType() throws Exception {
    Map<String, Object> read = Json.readObject("{\"b\": 1, \"a\": 3000000000, \"c\": 1.5, \"d\": [true, null, \"x\"],"
        + " \"e\": {\"f\": 123456789012345678901}}");
    assertEquals(List.of("b", "a", "c", "d", "e"), List.copyOf(read.keySet()));
    assertEquals(Integer.valueOf(1), read.get("b"));
    assertEquals(Long.valueOf(3_000_000_000L), read.get("a"));
    assertEquals(Double.valueOf(1.5), read.get("c"));
    assertEquals(java.util.Arrays.asList(true, null, "x"), read.get("d"));
    assertEquals(new java.math.BigInteger("123456789012345678901"), ((Map<?, ?>) read.get("e")).get("f"));
  }

  @Test(expected = java.io.IOException.class)
  public void anArrayIsNotAnObject() throws Exception {
    Json.readObject("[1]");
  }

  @Test(expected = IllegalArgumentException.class)
  public void aBeanHasNoJsonForm() {
    Json.pretty(Map.of("when", java.time.LocalDate.of(2016, 5, 1)));
  }
}
