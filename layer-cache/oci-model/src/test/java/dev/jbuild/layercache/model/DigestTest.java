package dev.jbuild.layercache.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DigestTest {
  @Test
  void sha256OfKnownInput() {
    assertEquals(
        "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        Digest.sha256("hello".getBytes(UTF_8)).toString());
  }

  @Test
  void parsesAndRoundTrips() {
    String text = "sha256:" + "a".repeat(64);
    Digest d = Digest.parse(text);
    assertEquals("sha256", d.algorithm());
    assertEquals(text, d.toString());
    assertEquals("aaaaaaaaaaaa", d.shortHex());
    assertTrue(Digest.isValid("sha512:" + "0".repeat(128)));
  }

  @Test
  void rejectsBadDigests() {
    assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:abc"));
    assertThrows(IllegalArgumentException.class, () -> Digest.parse("md5:" + "a".repeat(32)));
    assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
    assertThrows(IllegalArgumentException.class, () -> Digest.parse("a".repeat(64)));
    assertFalse(Digest.isValid("sha512:" + "0".repeat(64)));
  }
}
