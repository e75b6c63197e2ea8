package dev.jbuild.builder.core;

import java.nio.file.Path;

/**
 * A {@code --build-context NAME=VALUE}: what {@code FROM NAME}, {@code COPY --from=NAME} and {@code
 * RUN --mount from=NAME} read instead of the stage or image of that name.
 */
public sealed interface NamedContext {
  /**
   * A local directory: a second context, as hostile as the main one, filtered by its own {@code
   * .dockerignore}; as a base it is an image of one layer holding its files ({@code COPY . /} onto
   * scratch).
   */
  record Directory(Path dir) implements NamedContext {}

  /** {@code docker-image://REF}: the image REF (store, else its registry). */
  record Image(String reference) implements NamedContext {}

  /**
   * A git URL or an http(s) URL of an archive: fetched by the command line before the build and
   * given to the engine as a {@link Directory}.
   */
  record Remote(String url) implements NamedContext {}

  /**
   * {@code oci-layout://DIR[:TAG][@DIGEST]}: the image an OCI layout directory on this machine
   * holds, picked by {@code digest} when given, else by {@code tag} (buildx's default: {@code
   * latest}); an index resolves to the stage's platform.
   */
  record OciLayout(Path dir, String tag, dev.jbuild.layercache.model.Digest digest)
      implements NamedContext {
    /** How it was written, for messages. */
    @Override
    public String toString() {
      return "oci-layout://"
          + dir
          + (tag == null ? "" : ":" + tag)
          + (digest == null ? "" : "@" + digest);
    }
  }
}
