package dev.jbuild.builder.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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

  /** The key's definition: sha256 over length-prefixed strings, written out the slow way. */
  private static Digest expected(String... fed) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String s : fed) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      int n = b.length;
      all.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
      all.write(b);
    }
    return Digest.of(Digest.SHA256, MessageDigest.getInstance("SHA-256").digest(all.toByteArray()));
  }

  @Test
  void theKeyIsTheHashOfTheLengthPrefixedPairsWhateverTheirSizes() throws Exception {
    String big = "x".repeat(100_000); // past the gathering buffer
    String medium = "é".repeat(10_000); // two bytes each: fills the buffer part way
    KeyBuilder kb = new KeyBuilder("copy");
    for (int i = 0; i < 3000; i++) {
      kb.put("file:src/f" + i, "100644 " + i);
    }
    kb.put("big", big);
    kb.put("medium", medium);
    kb.put("after", "1");
    java.util.List<String> fed = new java.util.ArrayList<>();
    fed.add("semantics");
    fed.add(KeyBuilder.SEMANTICS);
    fed.add("kind");
    fed.add("copy");
    for (int i = 0; i < 3000; i++) {
      fed.add("file:src/f" + i);
      fed.add("100644 " + i);
    }
    fed.addAll(java.util.List.of("big", big, "medium", medium, "after", "1"));
    assertEquals(expected(fed.toArray(String[]::new)), kb.digest());
  }
}
