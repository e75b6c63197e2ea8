package dev.jbuild.builder.publish;

import dev.jbuild.layercache.model.ImageReference;
import java.nio.file.Path;
import java.util.Objects;

/** A {@code --cache-from}: records imported before the build; a missing one is a warning. */
public sealed interface CacheImport {
  /**
   * {@code type=registry,ref=R} (or {@code --cache-from R}): a jbuild registry cache, or an image
   * pushed with an inline cache.
   */
  record Registry(ImageReference ref) implements CacheImport {
    public Registry {
      Objects.requireNonNull(ref, "ref");
    }
  }

  /** {@code type=local,src=DIR}: an OCI layout directory written by {@code type=local,dest=}. */
  record Local(Path src) implements CacheImport {
    public Local {
      Objects.requireNonNull(src, "src");
    }
  }
}
