package dev.jbuild.builder.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyBuilderTest {
  private static Digest key(String kind, String... pairs) {
    KeyBuilder k = new KeyBuilder(kind);
    for (int i = 0; i < pairs.length; i += 2) {
      k.put(pairs[i], pairs[i + 1]);
    }
    return k.digest();
  }

  @Test
  void sameInputsGiveTheSameKey() {
    assertEquals(key("run", "argv", "make", "user", ""), key("run", "argv", "make", "user", ""));
  }

  @Test
  void everyNameValueAndTheKindEnterTheKey() {
    Digest base = key("run", "argv", "make", "user", "");
    assertNotEquals(base, key("copy", "argv", "make", "user", ""));
    assertNotEquals(base, key("run", "argv", "make -j2", "user", ""));
    assertNotEquals(base, key("run", "argv", "make", "user", "nobody"));
    assertNotEquals(base, key("run", "argv", "make", "group", ""));
    assertNotEquals(base, key("run", "argv", "make"));
  }

  @Test
  void pairsAreLengthPrefixedSoShiftedBoundariesDiffer() {
    assertNotEquals(key("run", "ab", "c"), key("run", "a", "bc"));
    assertNotEquals(key("run", "a", "b", "c", "d"), key("run", "a", "b\0c", "", "d"));
  }

  @Test
  void aNullValueDiffersFromEveryString() {
    assertNotEquals(key("run", "user", null), key("run", "user", ""));
    assertNotEquals(key("run", "user", null), key("run", "user", "null"));
  }

  @Test
  void aListDiffersFromItsJoinedTextAndFromAReorderedList() {
    Digest list = new KeyBuilder("run").put("argv", List.of("sh", "-c", "x")).digest();
    assertNotEquals(list, new KeyBuilder("run").put("argv", "sh\n-c\nx\n").digest());
    assertNotEquals(list, new KeyBuilder("run").put("argv", List.of("-c", "sh", "x")).digest());
    assertNotEquals(list, new KeyBuilder("run").put("argv", List.of("sh", "-c x")).digest());
    assertEquals(list, new KeyBuilder("run").put("argv", List.of("sh", "-c", "x")).digest());
  }

  @Test
  void componentsKeepShortValuesAndHashLongOnes() {
    String longValue = "x".repeat(201);
    KeyBuilder k = new KeyBuilder("copy").put("dest", "/app").put("big", longValue);
    assertEquals("copy", k.components().get("kind"));
    assertEquals("/app", k.components().get("dest"));
    String big = k.components().get("big");
    assertTrue(big.startsWith("sha256:") && big.length() == 71, big);
    assertNotEquals(
        big, new KeyBuilder("copy").put("big", "y".repeat(201)).components().get("big"));
  }
}
