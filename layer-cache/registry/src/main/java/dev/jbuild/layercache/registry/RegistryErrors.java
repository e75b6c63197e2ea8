package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.registry.RegistryException.Kind;

/** The one factory of registry error messages; tests assert on the same methods. */
public final class RegistryErrors {
  private RegistryErrors() {}

  public static RegistryException imageNotFound(String reference) {
    return new RegistryException(Kind.NOT_FOUND, "image not found: " + reference);
  }

  public static RegistryException repositoryNotFound(String host, String repository) {
    return new RegistryException(
        Kind.NOT_FOUND, "repository not found: " + host + "/" + repository);
  }

  public static RegistryException blobNotFound(String host, String repository, Digest digest) {
    return new RegistryException(
        Kind.NOT_FOUND, host + "/" + repository + ": blob " + digest + " not found");
  }

  public static RegistryException noMatchingPlatform(
      String reference, String platform, String available) {
    return new RegistryException(
        Kind.NOT_FOUND,
        "image "
            + reference
            + " has no variant for platform "
            + platform
            + " (it has: "
            + available
            + ")");
  }

  /**
   * {@code manifest push} without {@code --all}: the registry lacks an image the index lists (only
   * the index itself is pushed, as buildah does).
   */
  public static RegistryException indexChildMissing(
      String destination, Digest child, String platform) {
    return new RegistryException(
        Kind.NOT_FOUND,
        destination
            + " does not have the image "
            + child
            + (platform == null ? "" : " (" + platform + ")")
            + " that the index lists: push with --all to push every image with the index");
  }

  public static RegistryException authRequired(String host) {
    return new RegistryException(
        Kind.UNAUTHORIZED,
        host
            + ": authentication required (no credentials for "
            + host
            + "); run 'jbuild login "
            + host
            + "'");
  }

  public static RegistryException authRejected(String host, String username) {
    return new RegistryException(
        Kind.UNAUTHORIZED,
        host
            + ": the credentials of user '"
            + username
            + "' were rejected (HTTP 401); run "
            + "'jbuild login "
            + host
            + "'");
  }

  public static RegistryException denied(String host, String repository, String action) {
    return new RegistryException(
        Kind.DENIED,
        host
            + "/"
            + repository
            + ": access denied (HTTP 403) to "
            + action
            + "; check the account's permissions");
  }

  public static RegistryException connectionRefused(String host, String url) {
    return new RegistryException(
        Kind.CONNECTION,
        "cannot connect to registry " + host + " (" + url + "): connection refused");
  }

  public static RegistryException unreachable(String host, String url, String detail) {
    return new RegistryException(
        Kind.CONNECTION, "cannot reach registry " + host + " (" + url + "): " + detail);
  }

  public static RegistryException tls(String host, String detail) {
    return new RegistryException(
        Kind.TLS,
        "TLS handshake with registry "
            + host
            + " failed: "
            + detail
            + "; if it uses a private CA, "
            + "set \"ca\" for "
            + host
            + " in registries.json, or put the CA in certs.d/"
            + host
            + "/ca.crt");
  }

  public static RegistryException digestMismatch(
      String host, String repository, Digest expected, Digest actual) {
    return new RegistryException(
        Kind.DIGEST_MISMATCH,
        host
            + "/"
            + repository
            + ": content of "
            + expected
            + " does not match its digest (got "
            + actual
            + "); nothing was stored");
  }

  public static RegistryException sizeMismatch(
      String host, String repository, Digest digest, long expected, long actual) {
    return new RegistryException(
        Kind.DIGEST_MISMATCH,
        host
            + "/"
            + repository
            + ": "
            + digest
            + " should be "
            + expected
            + " bytes but the "
            + "registry sent "
            + actual
            + "; nothing was stored");
  }

  public static RegistryException protocol(String host, String detail) {
    return new RegistryException(Kind.PROTOCOL, "registry " + host + ": " + detail);
  }

  public static RegistryException server(String host, String what, int status, String detail) {
    return new RegistryException(
        status >= 500 ? Kind.SERVER : Kind.PROTOCOL,
        "registry "
            + host
            + " answered HTTP "
            + status
            + " to "
            + what
            + (detail.isEmpty() ? "" : ": " + detail));
  }

  /** A transfer or an answer that made no progress for the read timeout. */
  public static RegistryException stalled(String host, String url, String detail) {
    return new RegistryException(
        Kind.CONNECTION,
        "registry "
            + host
            + " stalled ("
            + url
            + "): "
            + detail
            + " (the read timeout: set "
            + Timeouts.READ_ENV
            + " or \"timeouts\" in registries.json)");
  }

  /** A blob transfer that failed for good, naming what it was for. */
  public static RegistryException transferFailed(
      String host, String repository, Digest digest, RegistryException last) {
    return new RegistryException(
        last.kind(),
        "download of "
            + host
            + "/"
            + repository
            + "@"
            + digest
            + " failed after "
            + Retry.ATTEMPTS
            + " tries: "
            + last.getMessage(),
        last);
  }

  /** A Bearer challenge asking for the credentials at a plain-HTTP realm on another host. */
  public static RegistryException insecureRealm(String host, String realm) {
    return new RegistryException(
        Kind.UNAUTHORIZED,
        "registry "
            + host
            + " asks for a token from "
            + realm
            + ", a plain-HTTP realm on another host: jbuild does not send the credentials of "
            + host
            + " there (an HTTPS realm or the registry's own host would get them)");
  }

  /** A network failure of a pull, naming the image it was for. */
  public static RegistryException whilePulling(String reference, RegistryException e) {
    return new RegistryException(
        e.kind(), "pull of " + reference + " failed: " + e.getMessage(), e);
  }

  /**
   * A lazy blob (an imported cache's layer, a base image's layer) could not be fetched when a step
   * needed its bytes.
   */
  public static RegistryException lazyFetch(String repository, Digest digest, RegistryException e) {
    return new RegistryException(
        e.kind(), "fetch of " + digest + " from " + repository + " failed: " + e.getMessage(), e);
  }

  /** A config whose declared size is over the limit (or negative), refused before download. */
  public static RegistryException configTooLarge(
      String host, String reference, Digest digest, long size) {
    return new RegistryException(
        Kind.PROTOCOL,
        "registry "
            + host
            + ": the config "
            + digest
            + " of "
            + reference
            + " declares "
            + size
            + " bytes; jbuild accepts image configs of at most "
            + (dev.jbuild.layercache.store.BlobStore.MAX_READ >> 20)
            + " MiB");
  }
}
