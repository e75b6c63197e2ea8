package dev.jbuild.runner.spec;

import java.util.List;

/** One entry of config.json's "mounts": destination inside the container, type, source, options. */
public record SpecMount(String destination, String type, String source, List<String> options) {
  public SpecMount {
    if (!destination.startsWith("/")) {
      throw new IllegalArgumentException("mount destination must be absolute: " + destination);
    }
    options = List.copyOf(options);
  }

  /** A bind mount ({@code rbind}), read-only or not. */
  public static SpecMount bind(String source, String destination, boolean readOnly) {
    return new SpecMount(
        destination,
        "bind",
        source,
        readOnly ? List.of("rbind", "ro", "nosuid", "nodev") : List.of("rbind", "nosuid", "nodev"));
  }

  public static SpecMount tmpfs(String destination, List<String> options) {
    return new SpecMount(destination, "tmpfs", "tmpfs", options);
  }
}
