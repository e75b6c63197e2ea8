package dev.jbuild.layercache.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Docker image reference, normalised: {@code busybox} is {@code
 * docker.io/library/busybox:latest}, {@code localhost:5000/x@sha256:...} keeps its digest and has
 * no tag. {@code tag} is null only when a digest is given; {@code digest} is null when absent.
 *
 * <p>Grammar and normalisation follow distribution/reference: the first path component is a
 * registry host when it contains a dot or a colon, is {@code localhost}, or has upper-case letters;
 * repository components are lower-case alphanumerics joined by {@code .}, {@code _}, {@code __} or
 * dashes; tags are {@code [\w][\w.-]{0,127}}.
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
  public static final String DOCKER_HUB = "docker.io";
  public static final String DEFAULT_TAG = "latest";

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
              + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
              + "(?::[0-9]+)?|\\[[a-fA-F0-9:]+\\](?::[0-9]+)?");

  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }
    if (!DOMAIN.matcher(registry).matches()) {
      throw new IllegalArgumentException("invalid registry host \"" + registry + "\"");
    }
    for (String c : repository.split("/", -1)) {
      if (!COMPONENT.matcher(c).matches()) {
        throw new IllegalArgumentException(
            "invalid repository name \""
                + repository
                + "\""
                + (c.equals(c.toLowerCase(java.util.Locale.ROOT)) ? "" : ": must be lowercase"));
      }
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag \"" + tag + "\"");
    }
    if (registry.length() + 1 + repository.length() > 255) {
      throw new IllegalArgumentException("repository name longer than 255 characters");
    }
  }

  /**
   * Parses and normalises a reference; throws {@link IllegalArgumentException} with a message
   * naming the reference and what is wrong.
   */
  public static ImageReference parse(String text) {
    Objects.requireNonNull(text, "reference");
    try {
      return doParse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid reference format \"" + text + "\": " + e.getMessage(), e);
    }
  }

  /** True when {@code text} parses. */
  public static boolean isValid(String text) {
    return Parsing.accepts(ImageReference::parse, text);
  }

  private static ImageReference doParse(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty reference");
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Digest.parse(rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (tag.isEmpty()) {
        throw new IllegalArgumentException("empty tag");
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("empty repository name");
    }
    String registry;
    String repository;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? null : rest.substring(0, slash);
    if (first != null
        && (first.contains(".")
            || first.contains(":")
            || first.equals("localhost")
            || !first.equals(first.toLowerCase(java.util.Locale.ROOT)))) {
      registry = first;
      repository = rest.substring(slash + 1);
    } else {
      registry = DOCKER_HUB;
      repository = rest;
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /** {@code registry/repository}. */
  public String name() {
    return registry + "/" + repository;
  }

  public boolean isDockerHub() {
    return DOCKER_HUB.equals(registry);
  }

  /** The short form Docker shows: {@code busybox}, {@code user/app}, {@code localhost:5000/x}. */
  public String familiarName() {
    if (isDockerHub()) {
      return repository.startsWith("library/") && repository.indexOf('/', 8) < 0
          ? repository.substring(8)
          : repository;
    }
    return name();
  }

  /** {@link #familiarName()} with the tag and digest: {@code busybox:latest}. */
  public String familiarString() {
    return familiarName() + suffix();
  }

  /** The tag, or the digest when there is no tag (what registry APIs call the reference). */
  public String tagOrDigest() {
    return digest != null ? digest.toString() : tag;
  }

  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag, digest);
  }

  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, tag, newDigest);
  }

  /** Same repository and tag, no digest. */
  public ImageReference withoutDigest() {
    return new ImageReference(registry, repository, tag == null ? DEFAULT_TAG : tag, null);
  }

  /** The full normalised form: {@code docker.io/library/busybox:latest}. */
  @Override
  public String toString() {
    return name() + suffix();
  }

  private String suffix() {
    return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }
}
