package dev.jbuild.layercache.registry;

/**
 * How to pull.
 *
 * @param alwaysPull ask the registry even when the store has the tag ({@code --pull})
 * @param tagAs the name to tag the image with in the store; null = the reference as normalised, in
 *     Docker's familiar form ({@code debian:latest}); digest references are stored untagged
 * @param parallelism layers downloaded at once
 * @param lazyLayers fetch the manifest and config only: the layers become remote blobs of the store
 *     (fetched when something needs their bytes) and the image is neither tagged nor listed, since
 *     an image in the store's index has all its blobs
 */
public record PullOptions(boolean alwaysPull, String tagAs, int parallelism, boolean lazyLayers) {
  public PullOptions {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1");
    }
  }

  public PullOptions(boolean alwaysPull, String tagAs, int parallelism) {
    this(alwaysPull, tagAs, parallelism, false);
  }

  public static PullOptions defaults() {
    return new PullOptions(false, null, 4, false);
  }

  public PullOptions withAlwaysPull(boolean value) {
    return new PullOptions(value, tagAs, parallelism, lazyLayers);
  }

  public PullOptions withTagAs(String name) {
    return new PullOptions(alwaysPull, name, parallelism, lazyLayers);
  }

  public PullOptions withLazyLayers(boolean value) {
    return new PullOptions(alwaysPull, tagAs, parallelism, value);
  }
}
