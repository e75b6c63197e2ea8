package dev.jbuild.layercache.registry.http;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.registry.RawManifest;
import dev.jbuild.layercache.registry.Registry;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.RegistryErrors;
import dev.jbuild.layercache.registry.RegistryException;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * {@link Registry} over the distribution API with the JDK's HTTP client. Credentials come from a
 * {@link CredentialStore} (Docker's config.json and credential helpers, read by Jib Core).
 */
public final class HttpRegistry implements Registry {
  static final int MAX_MANIFEST_BYTES = 4 << 20;
  private static final Duration SHORT = null; // the transport's read timeout
  static final int BUFFER = 256 * 1024;

  /** Tries of an idempotent request (a GET, a HEAD) after network failures and 5xx answers. */
  public static final int ATTEMPTS = 3;

  /** The first backoff; it doubles with each try (0.5 s, 1 s). */
  static final long BACKOFF_MILLIS = 500;

  private final Transport transport;
  private final String host;

  public HttpRegistry(String host, RegistryConfig config, CredentialStore credentials)
      throws IOException {
    this.host = host;
    this.transport = new Transport(host, config, credentials);
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public void ping() throws IOException {
    idempotent(
        () -> {
          pingOnce();
          return null;
        });
  }

  private void pingOnce() throws IOException {
    // GET /v2/ answers 401 when credentials are required; a token for the registry scope (no
    // repository) is what `docker login` asks for too.
    HttpResponse<InputStream> r =
        transport.exchange(
            "the API check (GET /v2/)", "GET", transport.base(), Map.of(), Scope.REGISTRY);
    int status = r.statusCode();
    String text = Transport.drain(r);
    if (status != 200) {
      throw status == 404
          ? RegistryErrors.protocol(host, "no registry API at " + transport.base())
          : RegistryErrors.server(host, "GET /v2/", status, text);
    }
  }

  @Override
  public Optional<RawManifest> getManifest(String repository, String reference) throws IOException {
    return idempotent(() -> getManifestOnce(repository, reference));
  }

  private Optional<RawManifest> getManifestOnce(String repository, String reference)
      throws IOException {
    URI uri = transport.uri(repository + "/manifests/" + reference);
    HttpResponse<InputStream> r = manifestRequest("GET", repository, reference, uri);
    int status = r.statusCode();
    if (status == 404) {
      Transport.drain(r);
      return Optional.empty();
    }
    if (status != 200) {
      throw transport.failure(
          r, repository, "GET manifest " + repository + ":" + reference, "pull");
    }
    byte[] bytes;
    try (InputStream in = r.body()) {
      bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
    } catch (IOException e) {
      throw Transport.mapIoException(host, uri.toString(), e);
    }
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw RegistryErrors.protocol(
          host, "manifest " + repository + ":" + reference + " is larger than 4 MiB");
    }
    String mediaType = mediaType(r).orElse("");
    Digest expected = null;
    if (Digest.isValid(reference)) {
      expected = Digest.parse(reference);
    } else {
      Optional<String> header = r.headers().firstValue("Docker-Content-Digest");
      if (header.isPresent() && Digest.isValid(header.get())) {
        expected = Digest.parse(header.get());
      }
    }
    Digest actual;
    if (expected != null) {
      MessageDigest md = expected.newMessageDigest();
      actual = Digest.of(expected.algorithm(), md.digest(bytes));
      if (!actual.equals(expected)) {
        throw RegistryErrors.digestMismatch(host, repository, expected, actual);
      }
    } else {
      actual = Digest.sha256(bytes);
    }
    return Optional.of(new RawManifest(mediaType, bytes, actual));
  }

  @Override
  public Optional<ManifestHead> headManifest(String repository, String reference)
      throws IOException {
    return idempotent(() -> headManifestOnce(repository, reference));
  }

  private Optional<ManifestHead> headManifestOnce(String repository, String reference)
      throws IOException {
    URI uri = transport.uri(repository + "/manifests/" + reference);
    HttpResponse<InputStream> r = manifestRequest("HEAD", repository, reference, uri);
    int status = r.statusCode();
    Transport.drain(r);
    if (status == 404) {
      return Optional.empty();
    }
    if (status != 200) {
      throw RegistryErrors.server(host, "HEAD manifest " + repository, status, "");
    }
    Optional<String> digest = r.headers().firstValue("Docker-Content-Digest");
    if (digest.isEmpty() || !Digest.isValid(digest.get())) {
      if (Digest.isValid(reference)) {
        digest = Optional.of(reference);
      } else {
        return getManifest(repository, reference)
            .map(m -> new ManifestHead(m.mediaType(), m.digest(), m.size()));
      }
    }
    long size = r.headers().firstValueAsLong("Content-Length").orElse(-1);
    return Optional.of(new ManifestHead(mediaType(r).orElse(""), Digest.parse(digest.get()), size));
  }

  @Override
  public Digest putManifest(String repository, String reference, RawManifest manifest)
      throws IOException {
    URI uri = transport.uri(repository + "/manifests/" + reference);
    byte[] bytes = manifest.bytes();
    HttpResponse<InputStream> r =
        transport.exchange(
            new Transport.Req(
                "PUT manifest " + repository + ":" + reference,
                "PUT",
                uri,
                Map.of("Content-Type", manifest.mediaType()),
                () -> HttpRequest.BodyPublishers.ofByteArray(bytes),
                true,
                Scope.push(repository),
                SHORT));
    int status = r.statusCode();
    if (status != 201 && status != 200 && status != 202) {
      throw transport.failure(
          r, repository, "PUT manifest " + repository + ":" + reference, "push");
    }
    Transport.drain(r);
    Optional<String> header = r.headers().firstValue("Docker-Content-Digest");
    if (header.isPresent()
        && Digest.isValid(header.get())
        && !Digest.parse(header.get()).equals(manifest.digest())) {
      throw RegistryErrors.protocol(
          host,
          "stored manifest "
              + repository
              + ":"
              + reference
              + " as "
              + header.get()
              + ", expected "
              + manifest.digest());
    }
    return manifest.digest();
  }

  @Override
  public OptionalLong blobSize(String repository, Digest digest) throws IOException {
    return idempotent(() -> blobSizeOnce(repository, digest));
  }

  private OptionalLong blobSizeOnce(String repository, Digest digest) throws IOException {
    URI uri = transport.uri(repository + "/blobs/" + digest);
    HttpResponse<InputStream> r =
        transport.exchange("HEAD blob " + digest, "HEAD", uri, Map.of(), Scope.pull(repository));
    int status = r.statusCode();
    Transport.drain(r);
    if (status == 404) {
      return OptionalLong.empty();
    }
    if (status == 403) {
      throw RegistryErrors.denied(host, repository, "pull");
    }
    if (status != 200) {
      throw RegistryErrors.server(host, "HEAD blob " + digest, status, "");
    }
    return OptionalLong.of(r.headers().firstValueAsLong("Content-Length").orElse(-1));
  }

  /**
   * Streams a blob into {@code sink}, hashing every byte; a transfer broken by the network is
   * resumed ({@link BlobDownload}).
   */
  @Override
  public void getBlob(
      String repository, Digest digest, long expectedSize, OutputStream sink, LongConsumer progress)
      throws IOException {
    new BlobDownload(transport).run(repository, digest, expectedSize, sink, progress);
  }

  static void backoff(int attempt) throws IOException {
    try {
      Thread.sleep(BACKOFF_MILLIS * (1L << (attempt - 1)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  /** Runs an idempotent request up to {@link #ATTEMPTS} times on network failures and 5xx. */
  private <T> T idempotent(Request<T> request) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return request.run();
      } catch (RegistryException e) {
        if (!e.retryable() || attempt >= ATTEMPTS) {
          throw e;
        }
        backoff(attempt);
      }
    }
  }

  @FunctionalInterface
  private interface Request<T> {
    T run() throws IOException;
  }

  @Override
  public boolean mountBlob(String repository, Digest digest, String fromRepository)
      throws IOException {
    URI uri =
        transport.uri(repository + "/blobs/uploads/?mount=" + digest + "&from=" + fromRepository);
    HttpResponse<InputStream> r =
        transport.exchange(
            "mount " + digest + " from " + fromRepository,
            "POST",
            uri,
            Map.of(),
            new Scope(repository, true, fromRepository));
    int status = r.statusCode();
    if (status == 201) {
      Transport.drain(r);
      return true;
    }
    if (status == 202) {
      // not mounted: the registry opened an upload session instead; cancel it
      Transport.drain(r);
      Optional<String> location = r.headers().firstValue("Location");
      if (location.isPresent()) {
        try {
          Transport.drain(
              transport.exchange(
                  "cancel upload",
                  "DELETE",
                  uri.resolve(location.get()),
                  Map.of(),
                  Scope.push(repository)));
        } catch (IOException e) {
          // best effort: the registry purges stale uploads
        }
      }
      return false;
    }
    throw transport.failure(r, repository, "mount " + digest, "push");
  }

  @Override
  public void putBlob(
      String repository, Digest digest, long size, BlobContent content, LongConsumer progress)
      throws IOException {
    URI location = startUpload(repository);
    URI put = withQuery(location, "digest=" + digest);
    HttpResponse<InputStream> r =
        transport.exchange(
            new Transport.Req(
                "upload " + digest,
                "PUT",
                put,
                Map.of("Content-Type", "application/octet-stream"),
                () ->
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () -> {
                              try {
                                return new ProgressInputStream(content.open(), progress);
                              } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                              }
                            }),
                        size),
                true,
                Scope.push(repository),
                null));
    int status = r.statusCode();
    if (status != 201 && status != 204) {
      throw transport.failure(r, repository, "upload of " + digest, "push");
    }
    Transport.drain(r);
  }

  @Override
  public Uploaded putBlobStreaming(String repository, StreamingBody body, LongConsumer progress)
      throws IOException {
    URI location = startUpload(repository);
    var pipe = new PublishingOutputStream(BUFFER, !(body instanceof DigestingBody), progress);
    Future<HttpResponse<InputStream>> patch =
        transport
            .executor()
            .submit(
                () ->
                    transport.exchange(
                        new Transport.Req(
                            "streaming upload",
                            "PATCH",
                            location,
                            Map.of("Content-Type", "application/octet-stream"),
                            () -> HttpRequest.BodyPublishers.fromPublisher(pipe.publisher()),
                            false,
                            Scope.push(repository),
                            null)));
    pipe.abortWhen(patch::isDone);
    try {
      body.writeTo(pipe);
      pipe.close();
    } catch (IOException | RuntimeException e) {
      pipe.abort(e);
      patch.cancel(true);
      throw e;
    }
    HttpResponse<InputStream> r;
    try {
      r = patch.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
    int status = r.statusCode();
    if (status != 202 && status != 204) {
      throw transport.failure(r, repository, "streaming upload", "push");
    }
    Transport.drain(r);
    Digest digest = body instanceof DigestingBody d ? d.digest() : pipe.digest();
    URI next = location.resolve(r.headers().firstValue("Location").orElse(location.toString()));
    HttpResponse<InputStream> done =
        transport.exchange(
            new Transport.Req(
                "finish upload of " + digest,
                "PUT",
                withQuery(next, "digest=" + digest),
                Map.of("Content-Type", "application/octet-stream"),
                HttpRequest.BodyPublishers::noBody,
                true,
                Scope.push(repository),
                SHORT));
    if (done.statusCode() != 201 && done.statusCode() != 204) {
      throw transport.failure(done, repository, "upload of " + digest, "push");
    }
    Transport.drain(done);
    return new Uploaded(digest, pipe.size());
  }

  private URI startUpload(String repository) throws IOException {
    URI uri = transport.uri(repository + "/blobs/uploads/");
    HttpResponse<InputStream> r =
        transport.exchange("start upload", "POST", uri, Map.of(), Scope.push(repository));
    if (r.statusCode() != 202) {
      throw transport.failure(r, repository, "start of an upload", "push");
    }
    Transport.drain(r);
    String location =
        r.headers()
            .firstValue("Location")
            .orElseThrow(
                () -> RegistryErrors.protocol(host, "upload started without a Location header"));
    return uri.resolve(location);
  }

  /** A GET or HEAD of a manifest, accepting every manifest and index type. */
  private HttpResponse<InputStream> manifestRequest(
      String method, String repository, String reference, URI uri) throws IOException {
    return transport.exchange(
        method + " manifest " + repository + ":" + reference,
        method,
        uri,
        Map.of("Accept", String.join(", ", Transport.manifestAccept())),
        Scope.pull(repository));
  }

  private static URI withQuery(URI uri, String query) {
    String s = uri.toString();
    return URI.create(s + (uri.getRawQuery() == null ? "?" : "&") + query);
  }

  private static Optional<String> mediaType(HttpResponse<?> r) {
    return r.headers()
        .firstValue("Content-Type")
        .map(v -> v.contains(";") ? v.substring(0, v.indexOf(';')) : v)
        .map(v -> v.strip().toLowerCase(Locale.ROOT))
        .filter(v -> !v.isEmpty());
  }

  @Override
  public void close() {
    transport.close();
  }
}
