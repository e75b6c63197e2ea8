package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiltersTest {
  @Test
  void labelFiltersAreAndedAsDockers() {
    Map<String, String> labels = Map.of("a", "1", "b", "2");
    assertTrue(Filters.labelsMatch(labels, List.of("a", "b=2")));
    assertFalse(Filters.labelsMatch(labels, List.of("a", "c")));
    assertFalse(Filters.labelsMatch(labels, List.of("a=2")));
    assertTrue(Filters.labelsMatch(labels, List.of()));
  }

  @Test
  void bothShapesOfTheQueryParse() throws ApiException {
    assertEquals(
        Map.of("label", List.of("a", "b")), Filters.parse("{\"label\":[\"a\",\"b\"]}").asMap());
    assertEquals(
        Map.of("dangling", List.of("true")),
        Filters.parse("{\"dangling\":{\"true\":true,\"false\":false}}").asMap());
  }
}
