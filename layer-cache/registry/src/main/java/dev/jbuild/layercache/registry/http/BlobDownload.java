package dev.jbuild.layercache.registry.http;

import dev.jbuild.layercache.io.HashingOutputStream;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.registry.RegistryErrors;
import dev.jbuild.layercache.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A blob GET into a sink, hashing every byte. A transfer broken by the network (a reset, a stall
 * past the read timeout, a 5xx) is tried again up to {@link HttpRegistry#ATTEMPTS} times in all,
 * with backoff, resuming with {@code Range: bytes=N-} after the N bytes already received (a server
 * that ignores the range has its first N bytes skipped); the digest is checked over the whole. A
 * digest or size mismatch, a 404 or a 4xx is not retried.
 */
final class BlobDownload {
  private final Transport transport;
  private final String host;

  BlobDownload(Transport transport) {
    this.transport = transport;
    this.host = transport.host;
  }

  void run(
      String repository, Digest digest, long expectedSize, OutputStream sink, LongConsumer progress)
      throws IOException {
    URI uri = transport.uri(repository + "/blobs/" + digest);
    // a fresh hashing sink (a store BlobWriter) hashes anyway: verify with its digest, once
    HashingOutputStream hashingSink =
        sink instanceof HashingOutputStream h
                && h.size() == 0
                && digest.algorithm().equals("sha256")
            ? h
            : null;
    MessageDigest md = digest.newMessageDigest();
    long[] total = {0};
    for (int attempt = 1; ; attempt++) {
      try {
        if (fetchFrom(
            repository, digest, uri, expectedSize, sink, hashingSink, md, total, progress)) {
          break;
        }
      } catch (RegistryException e) {
        if (!e.retryable()) {
          throw e;
        }
        if (attempt >= HttpRegistry.ATTEMPTS) {
          throw RegistryErrors.transferFailed(host, repository, digest, e);
        }
        HttpRegistry.backoff(attempt);
      }
    }
    if (expectedSize >= 0 && total[0] != expectedSize) {
      throw RegistryErrors.sizeMismatch(host, repository, digest, expectedSize, total[0]);
    }
    Digest actual =
        hashingSink != null ? hashingSink.digest() : Digest.of(digest.algorithm(), md.digest());
    if (!actual.equals(digest)) {
      throw RegistryErrors.digestMismatch(host, repository, digest, actual);
    }
  }

  /** One GET (ranged after the first bytes); true when the body ended normally. */
  private boolean fetchFrom(
      String repository,
      Digest digest,
      URI uri,
      long expectedSize,
      OutputStream sink,
      HashingOutputStream hashingSink,
      MessageDigest md,
      long[] total,
      LongConsumer progress)
      throws IOException {
    long have = total[0];
    HttpResponse<InputStream> r =
        transport.exchange(
            "GET blob " + digest,
            "GET",
            uri,
            have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of(),
            Scope.pull(repository));
    int status = r.statusCode();
    if (status == 404) {
      Transport.drain(r);
      throw RegistryErrors.blobNotFound(host, repository, digest);
    }
    long skip = 0;
    if (have > 0 && status == 206) {
      String range = r.headers().firstValue("Content-Range").orElse("");
      if (!range.startsWith("bytes " + have + "-")) {
        Transport.drain(r);
        throw RegistryErrors.protocol(
            host,
            "GET blob " + digest + " from byte " + have + " answered Content-Range: " + range);
      }
    } else if (status == 200) {
      skip = have; // the server sent the whole blob again: drop what we have
    } else {
      throw transport.failure(r, repository, "GET blob " + digest, "pull");
    }
    byte[] buf = new byte[HttpRegistry.BUFFER];
    try (InputStream in = r.body()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        int off = 0;
        if (skip > 0) {
          int drop = (int) Math.min(skip, n);
          skip -= drop;
          off = drop;
          if (off == n) {
            continue;
          }
        }
        int len = n - off;
        if (expectedSize >= 0 && total[0] + len > expectedSize) {
          throw RegistryErrors.sizeMismatch(host, repository, digest, expectedSize, total[0] + len);
        }
        if (hashingSink == null) {
          md.update(buf, off, len);
        }
        try {
          sink.write(buf, off, len);
        } catch (IOException e) {
          throw new SinkFailure(e);
        }
        total[0] += len;
        progress.accept(len);
      }
    } catch (SinkFailure e) {
      throw e.getCause(); // the store, not the network
    } catch (RegistryException e) {
      throw e;
    } catch (java.io.InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw Transport.mapIoException(host, uri.toString(), e);
    }
    return true;
  }

  /** A write to the sink failed (our disk, not the network): not retried. */
  private static final class SinkFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SinkFailure(IOException cause) {
      super(cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }
}
