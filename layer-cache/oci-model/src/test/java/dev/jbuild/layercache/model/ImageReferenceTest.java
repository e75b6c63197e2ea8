package dev.jbuild.layercache.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
  static final String D = "sha256:" + "0123456789abcdef".repeat(4);

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "busybox|docker.io/library/busybox:latest|busybox:latest",
        "busybox:1.36|docker.io/library/busybox:1.36|busybox:1.36",
        "library/busybox|docker.io/library/busybox:latest|busybox:latest",
        "docker.io/busybox|docker.io/library/busybox:latest|busybox:latest",
        "index.docker.io/library/busybox:1|docker.io/library/busybox:1|busybox:1",
        "user/app:v2|docker.io/user/app:v2|user/app:v2",
        "localhost/app|localhost/app:latest|localhost/app:latest",
        "localhost:5000/x/y:t|localhost:5000/x/y:t|localhost:5000/x/y:t",
        "127.0.0.1:5000/app|127.0.0.1:5000/app:latest|127.0.0.1:5000/app:latest",
        "ghcr.io/o/r/deep/name:1.0-rc_1|ghcr.io/o/r/deep/name:1.0-rc_1|ghcr.io/o/r/deep/name:1.0-rc_1",
        "Registry/app|Registry/app:latest|Registry/app:latest",
        "a__b-c---d/e.f_g|docker.io/a__b-c---d/e.f_g:latest|a__b-c---d/e.f_g:latest",
        "app:1|docker.io/library/app:1|app:1",
      })
  void normalises(String input, String full, String familiar) {
    ImageReference r = ImageReference.parse(input);
    assertEquals(full, r.toString());
    assertEquals(familiar, r.familiarString());
    assertEquals(r, ImageReference.parse(r.toString()));
  }

  @Test
  void digestsWithAndWithoutTags() {
    ImageReference r = ImageReference.parse("localhost:5000/x@" + D);
    assertNull(r.tag());
    assertEquals(Digest.parse(D), r.digest());
    assertEquals("localhost:5000/x@" + D, r.toString());
    assertEquals(D, r.tagOrDigest());
    ImageReference t = ImageReference.parse("busybox:1@" + D);
    assertEquals("1", t.tag());
    assertEquals("docker.io/library/busybox:1@" + D, t.toString());
    assertEquals("busybox:1@" + D, t.familiarString());
    assertEquals("docker.io/library/busybox:1", t.withoutDigest().toString());
    assertEquals("busybox", t.familiarName());
    assertEquals("docker.io/library/busybox", t.name());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Busybox",
        "upper/Case",
        "app:",
        "app:-bad",
        "a//b",
        "-a",
        "a-",
        "app@sha256:123",
        "app:" + "t123456789",
        ":tag",
        "host:5000/",
        "a b",
      })
  void rejectsInvalid(String input) {
    if (input.equals("app:t123456789")) {
      // a valid short tag; the long-tag case is below
      ImageReference.parse(input);
      return;
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(input), input);
    assertTrue(
        e.getMessage().startsWith("invalid reference format \"" + input + "\""), e.getMessage());
  }

  @Test
  void uppercaseRepositoryMessageSaysLowercase() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("docker.io/Foo"));
    assertTrue(e.getMessage().contains("lowercase"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> ImageReference.parse("a:" + "t".repeat(129)));
    ImageReference.parse("a:" + "t".repeat(128));
  }

  @Test
  void platformParsing() {
    assertEquals("linux/arm64", Platform.parse("linux/arm64/v8").toString());
    assertEquals("linux/arm/v7", Platform.parse("linux/arm").toString());
    assertEquals("linux/amd64", Platform.parse("x86_64").toString());
    assertTrue(Platform.parse("linux/aarch64").matches(new Platform("linux", "arm64", "v8")));
    assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux//v7"));
    assertThrows(IllegalArgumentException.class, () -> Platform.parse("a/b/c/d"));
    assertEquals("linux", Platform.host().os());
  }
}
