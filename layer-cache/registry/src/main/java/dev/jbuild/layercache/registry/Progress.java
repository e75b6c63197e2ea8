package dev.jbuild.layercache.registry;

/**
 * Hears about blob transfers (pull, push, archive export). Implementations are thread-safe: layers
 * move in parallel. {@code id} is the blob's short digest.
 */
public interface Progress {
  /** A transfer starts; {@code total} bytes, or -1 when unknown (a layer being compressed). */
  void start(String id, String action, long total);

  /** {@code bytes} more were transferred. */
  void advance(String id, long bytes);

  /** The transfer ended: "Pull complete", "Already exists", "Mounted from x", "Pushed", ... */
  void done(String id, String status);

  /** A line about the whole operation ("Digest: sha256:..."). */
  void message(String line);

  static Progress none() {
    return new Progress() {
      @Override
      public void start(String id, String action, long total) {}

      @Override
      public void advance(String id, long bytes) {}

      @Override
      public void done(String id, String status) {}

      @Override
      public void message(String line) {}
    };
  }
}
