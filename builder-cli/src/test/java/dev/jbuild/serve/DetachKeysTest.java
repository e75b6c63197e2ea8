package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DetachKeysTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void parsesDockersSpellings() throws ApiException {
    assertArrayEquals(new byte[] {16, 17}, DetachKeys.parse(null));
    assertArrayEquals(new byte[] {16, 17}, DetachKeys.parse(""));
    assertArrayEquals(new byte[] {1, 'x'}, DetachKeys.parse("ctrl-a,x"));
    assertArrayEquals(
        new byte[] {0, 27, 28, 29, 30, 31},
        DetachKeys.parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_"));
    ApiException e = assertThrows(ApiException.class, () -> DetachKeys.parse("ctrl-1"));
    assertTrue(e.getMessage().contains("Invalid detach keys"), e.getMessage());
    assertThrows(ApiException.class, () -> DetachKeys.parse("ab"));
  }

  @Test
  void theSequenceDetachesAndIsNotPassedOn() {
    DetachKeys d = new DetachKeys(DetachKeys.DEFAULT);
    assertEquals("ls\n", new String(d.filter(bytes("ls\n"), 3), StandardCharsets.ISO_8859_1));
    // split across two reads, after some input that is passed on
    assertEquals("ab", new String(d.filter(bytes("ab\u0010"), 3), StandardCharsets.ISO_8859_1));
    assertFalse(d.detached());
    assertEquals("", new String(d.filter(bytes("\u0011zz"), 3), StandardCharsets.ISO_8859_1));
    assertTrue(d.detached());
  }

  @Test
  void aPartialMatchIsPassedOnOnceItIsNone() {
    DetachKeys d = new DetachKeys(DetachKeys.DEFAULT);
    assertEquals("", new String(d.filter(bytes("\u0010"), 1), StandardCharsets.ISO_8859_1));
    assertEquals("\u0010x", new String(d.filter(bytes("x"), 1), StandardCharsets.ISO_8859_1));
    assertEquals(
        "\u0010", new String(d.filter(bytes("\u0010\u0010"), 2), StandardCharsets.ISO_8859_1));
    assertFalse(d.detached());
  }
}
