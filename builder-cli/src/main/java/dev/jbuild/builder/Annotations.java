package dev.jbuild.builder;

import dev.jbuild.layercache.model.Platform;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --annotation} values, as buildx's: where each goes ({@link Level}), for which platform
 * (empty: every one), the key and the value.
 */
public record Annotations(List<Annotation> all) {
  /** Where an annotation is written (buildx's annotation types). */
  public enum Level {
    /** The image manifest (buildx's default). */
    MANIFEST,
    /** The image index of a multi-platform build. */
    INDEX,
    /** The manifest's descriptor in the image index. */
    MANIFEST_DESCRIPTOR,
    /** The index's (or manifest's) descriptor in an OCI layout's {@code index.json}. */
    INDEX_DESCRIPTOR
  }

  /** One annotation. */
  public record Annotation(Level level, Optional<Platform> platform, String key, String value) {}

  public Annotations {
    all = List.copyOf(all);
  }

  public static Annotations none() {
    return new Annotations(List.of());
  }

  /** The annotations of {@code level} that apply to {@code platform} (null: any), in order. */
  public Map<String, String> of(Level level, Platform platform) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Annotation a : all) {
      if (a.level() == level
          && (a.platform().isEmpty() || platform == null || a.platform().get().equals(platform))) {
        out.put(a.key(), a.value());
      }
    }
    return out;
  }

  public boolean has(Level level) {
    return all.stream().anyMatch(a -> a.level() == level);
  }
}
