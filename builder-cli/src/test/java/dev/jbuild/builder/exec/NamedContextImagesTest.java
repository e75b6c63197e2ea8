package dev.jbuild.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jbuild.builder.core.NamedContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamedContextImagesTest {
  private final NamedContextImages images =
      new NamedContextImages(
          (r, p, pull, progress, shown) -> {
            throw new AssertionError("not called");
          },
          Map.of(
              "alpine", new NamedContext.Image("base:1"),
              "alpine:3.20", new NamedContext.Image("base:2"),
              "ghcr.io/x/y", new NamedContext.Image("base:3")),
          (name, dir, platform) -> {
            throw new AssertionError("not called");
          });

  @Test
  void namesMatchAsWrittenOrInTheirFamiliarForm() {
    assertEquals("alpine", images.nameOf("alpine"));
    assertEquals("alpine", images.nameOf("alpine:latest"));
    assertEquals("alpine", images.nameOf("docker.io/library/alpine:latest"));
    assertEquals("alpine", images.nameOf("index.docker.io/library/alpine"));
    assertEquals("alpine:3.20", images.nameOf("docker.io/library/alpine:3.20"));
    assertEquals("ghcr.io/x/y", images.nameOf("ghcr.io/x/y:latest"));
    assertNull(images.nameOf("alpine:3.19"));
    assertNull(images.nameOf("docker.io/other/alpine"));
    assertNull(images.nameOf("alpine@sha256:" + "a".repeat(64)));
  }
}
