package dev.jbuild.layercache.registry;

/**
 * How to pull.
 *
 * @param alwaysPull ask the registry even when the store has the tag ({@code --pull})
 * @param tagAs the name to tag the image with in the store; null = the reference as normalised, in
 *     Docker's familiar form ({@code debian:latest}); digest references are stored untagged
 * @param parallelism layers downloaded at once
 */
public record PullOptions(boolean alwaysPull, String tagAs, int parallelism) {
  public PullOptions {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1");
    }
  }

  public static PullOptions defaults() {
    return new PullOptions(false, null, 4);
  }

  public PullOptions withAlwaysPull(boolean value) {
    return new PullOptions(value, tagAs, parallelism);
  }

  public PullOptions withTagAs(String name) {
    return new PullOptions(alwaysPull, name, parallelism);
  }
}
