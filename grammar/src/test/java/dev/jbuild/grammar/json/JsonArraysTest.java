package dev.jbuild.grammar.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonArraysTest {
  @Test
  void stringArrays() {
    assertEquals(Optional.of(List.of("a", "b c")), JsonArrays.parseStringArray("[\"a\", \"b c\"]"));
    assertEquals(Optional.of(List.of()), JsonArrays.parseStringArray("  [ ] "));
    assertEquals(
        Optional.of(List.of("\u00e9\ud83d\ude00\n\"/")),
        JsonArrays.parseStringArray("[\"\\u00e9\\ud83d\\ude00\\n\\\"\\/\"]"));
  }

  @Test
  void notJsonIsShellForm() {
    for (String s :
        List.of(
            "echo [",
            "['a']",
            "[\"a\",]",
            "[\"a\" \"b\"]",
            "[\"a\"] extra",
            "[\"a\\x\"]",
            "[\"tab\there\"]",
            "[01]",
            "[\"a\"",
            "")) {
      assertEquals(Optional.empty(), JsonArrays.parseStringArray(s), s);
    }
  }

  @Test
  void validJsonWithNonStringsIsAnError() {
    for (String s :
        List.of("[1]", "[\"a\", null]", "[true]", "[[\"a\"]]", "[{\"a\": 1}]", "[-1.5e3]")) {
      assertThrows(
          JsonArrays.NotStringArrayException.class, () -> JsonArrays.parseStringArray(s), s);
    }
  }

  @Test
  void writer() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("b", List.of(1, "x\"\n"));
    m.put("a", Map.of());
    m.put("n", null);
    assertEquals("{\"b\":[1,\"x\\\"\\n\"],\"a\":{},\"n\":null}", JsonWriter.compact(m));
    assertEquals(
        "{\n  \"b\": [\n    1,\n    \"x\\\"\\n\"\n  ],\n  \"a\": {},\n  \"n\": null\n}\n",
        JsonWriter.pretty(m));
  }
}
