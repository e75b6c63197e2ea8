package dev.jbuild.builder.copy;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the {@link TreeBuilder.Index} of a COPY layer lives: {@code <root>/builder/trees/<diffId>}.
 */
public final class TreeIndexes {
  private TreeIndexes() {}

  public static Path path(Store store, Digest diffId) {
    return store.root().resolve("builder").resolve("trees").resolve(diffId.hex());
  }

  /** Removes the indexes of layers whose tree is gone (after a prune). Returns how many. */
  public static int prune(Store store) throws IOException {
    Path dir = store.root().resolve("builder").resolve("trees");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int n = 0;
    try (var list = Files.list(dir)) {
      for (Path p : list.toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(".ckpt")) {
          name = name.substring(0, name.length() - ".ckpt".length());
        }
        boolean live;
        try {
          live = store.layers().ifUnpacked(new Digest(Digest.SHA256, name)).isPresent();
        } catch (IllegalArgumentException notADigest) {
          live = false;
        }
        if (!live && Files.deleteIfExists(p)) {
          n++;
        }
      }
    }
    return n;
  }
}
