package dev.jbuild.builder.publish;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.ImageReference;
import java.nio.file.Path;
import java.util.Objects;

/** A {@code --cache-to}: where this build's cache records go after the build. */
public sealed interface CacheExport {
  /** Which steps: the final stage's ({@code min}, BuildKit's default) or every stage's. */
  enum Mode {
    MIN,
    MAX
  }

  Mode mode();

  /** Whether a failed export is a warning rather than the build's failure. */
  boolean ignoreError();

  /** How the layers are written. */
  record Layers(Compression compression, int level) {
    public static final Layers DEFAULT = new Layers(Compression.GZIP, -1);

    public Layers {
      Objects.requireNonNull(compression, "compression");
    }
  }

  /**
   * {@code type=registry,ref=R}: the cache manifest pushed as {@code ref}.
   *
   * @param imageManifest push the cache manifest itself, else an index holding it
   * @param ociMediaTypes OCI media types, else Docker's (only with an index)
   */
  record Registry(
      ImageReference ref,
      Mode mode,
      boolean imageManifest,
      boolean ociMediaTypes,
      Layers layers,
      boolean ignoreError)
      implements CacheExport {
    public Registry {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(layers, "layers");
    }
  }

  /** {@code type=local,dest=DIR}: an OCI image layout directory. */
  record Local(Path dest, Mode mode, boolean imageManifest, Layers layers, boolean ignoreError)
      implements CacheExport {
    public Local {
      Objects.requireNonNull(dest, "dest");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(layers, "layers");
    }
  }

  /**
   * {@code type=inline}: the final stage's records in the image's own config, pushed with it
   * (always {@code min}, as BuildKit).
   */
  record Inline() implements CacheExport {
    @Override
    public Mode mode() {
      return Mode.MIN;
    }

    @Override
    public boolean ignoreError() {
      return false;
    }
  }
}
