package dev.jbuild.builder.copy;

import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.RegistryException;
import dev.jbuild.layercache.registry.Timeouts;
import dev.jbuild.layercache.registry.http.IdleTimeoutBody;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import dev.jbuild.layercache.tar.LayerReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What ADD adds beyond COPY: URLs fetched over HTTP(S), and local tar archives unpacked. */
public final class AddSources {
  private AddSources() {}

  /** True for the sources ADD fetches ({@code http://} and {@code https://} URLs). */
  public static boolean isUrl(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("http://") || s.startsWith("https://");
  }

  /**
   * A downloaded URL.
   *
   * @param file the content, in a temp file
   * @param name the file name ADD gives it inside a destination directory (the URL path's last
   *     segment)
   * @param digest sha256 of the content
   * @param mtime the Last-Modified time, or the epoch when the server sent none
   */
  public record Download(Path file, String name, Digest digest, Instant mtime) {}

  /**
   * Fetches {@code url} into {@code dir}, following redirects, and checks it against {@code
   * checksum} (ADD --checksum) when given. The network timeouts are the registries'
   * (registries.json and the environment, see {@link Timeouts}).
   */
  public static Download fetch(String url, Path dir, Optional<String> checksum)
      throws IOException, InterruptedException {
    return fetch(url, dir, checksum, maxBytes());
  }

  /** {@link #fetch(String, Path, Optional)} bounded to {@code maxBytes} bytes. */
  public static Download fetch(String url, Path dir, Optional<String> checksum, long maxBytes)
      throws IOException, InterruptedException {
    return fetch(url, dir, checksum, RegistryConfig.load(System.getenv()).timeouts(), maxBytes);
  }

  private static long maxBytes() {
    return dev.jbuild.builder.remote.GitAccess.maxBytes(System.getenv());
  }

  /**
   * Fetches {@code url} with these timeouts: connecting at most {@code connect}, no wait for data
   * longer than {@code read}; a network failure is tried {@link #ATTEMPTS} times in all, from the
   * start, with backoff. Fails with a {@link RegistryException} of kind CONNECTION naming the URL.
   */
  public static Download fetch(String url, Path dir, Optional<String> checksum, Timeouts timeouts)
      throws IOException, InterruptedException {
    return fetch(url, dir, checksum, timeouts, maxBytes());
  }

  /** {@link #fetch(String, Path, Optional, Timeouts)}, failing past {@code maxBytes} bytes. */
  public static Download fetch(
      String url, Path dir, Optional<String> checksum, Timeouts timeouts, long maxBytes)
      throws IOException, InterruptedException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw BuildErrors.invalidUrl(url, e.getMessage());
    }
    Path file = Files.createTempFile(dir, "add-", "");
    try (HttpClient client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(timeouts.connect())
            .build()) {
      for (int attempt = 1; ; attempt++) {
        try {
          return fetchOnce(client, uri, url, file, checksum, timeouts, maxBytes);
        } catch (IOException e) {
          if (!transient_(e) || attempt >= ATTEMPTS) {
            Files.deleteIfExists(file);
            if (transient_(e)) {
              throw new RegistryException(
                  RegistryException.Kind.CONNECTION,
                  "cannot fetch " + url + ": " + describe(e) + " (after " + attempt + " tries)",
                  e);
            }
            throw e;
          }
          Thread.sleep(500L << (attempt - 1));
        }
      }
    }
  }

  /** Tries of a URL after a network failure or a 5xx. */
  public static final int ATTEMPTS = 3;

  /** A failure worth another try: the network or the server, not a 404 or a checksum. */
  private static boolean transient_(IOException e) {
    return !(e instanceof Permanent);
  }

  /** A failure that another try would repeat. */
  private static final class Permanent extends IOException {
    private static final long serialVersionUID = 1L;

    Permanent(String message) {
      super(message);
    }
  }

  private static Download fetchOnce(
      HttpClient client,
      URI uri,
      String url,
      Path file,
      Optional<String> checksum,
      Timeouts timeouts,
      long maxBytes)
      throws IOException, InterruptedException {
    var future =
        client.sendAsync(
            HttpRequest.newBuilder(uri).GET().header("User-Agent", "jbuild").build(),
            IdleTimeoutBody.handler(timeouts.read()));
    HttpResponse<InputStream> resp;
    try {
      resp = future.get(timeouts.read().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IdleTimeoutBody.StalledException(
          "no response for " + Timeouts.describe(timeouts.read()));
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof IOException io ? io : new IOException(String.valueOf(c.getMessage()), c);
    }
    MessageDigest md = Digest.newSha256();
    try (InputStream in = resp.body()) {
      int status = resp.statusCode();
      if (status / 100 != 2) {
        String m = "cannot fetch " + url + ": HTTP " + status;
        throw status >= 500 ? new IOException(m) : new Permanent(m);
      }
      try (OutputStream out = Files.newOutputStream(file)) {
        byte[] buf = new byte[1 << 16];
        int n;
        long total = 0;
        while ((n = in.read(buf)) > 0) {
          total += n;
          if (total > maxBytes) {
            throw new Permanent(BuildErrors.remoteTooLarge(url, maxBytes).getMessage());
          }
          md.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
    }
    Digest digest = Digest.of(Digest.SHA256, md.digest());
    if (checksum.isPresent()) {
      Digest want;
      try {
        want = Digest.parse(checksum.get());
      } catch (IllegalArgumentException e) {
        throw new Permanent("invalid --checksum " + checksum.get() + ": " + e.getMessage());
      }
      Digest got = want.algorithm().equals(Digest.SHA256) ? digest : digestOf(file, want);
      if (!got.equals(want)) {
        Files.deleteIfExists(file);
        throw new Permanent("checksum mismatch for " + url + ": expected " + want + ", got " + got);
      }
    }
    Instant mtime =
        resp.headers()
            .firstValue("Last-Modified")
            .flatMap(AddSources::parseHttpDate)
            .orElse(Instant.EPOCH);
    return new Download(file, nameOf(uri), digest, mtime);
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static Digest digestOf(Path file, Digest like) throws IOException {
    MessageDigest md = like.newMessageDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return Digest.of(like.algorithm(), md.digest());
  }

  static Optional<Instant> parseHttpDate(String value) {
    try {
      return Optional.of(
          ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The last non-empty segment of the URL's path ("__unnamed__" when there is none, as Docker). */
  static String nameOf(URI uri) {
    String path = uri.getPath() == null ? "" : uri.getPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    return name.isEmpty() ? "__unnamed__" : name;
  }

  /** True when {@code file} is a tar archive (plain, gzip, bzip2, xz or zstd), as ADD decides. */
  public static boolean isArchive(Path file) {
    try (LayerReader r = LayerReader.open(file)) {
      r.next(); // an empty archive is still an archive (it adds nothing)
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Unpacks an archive into a new directory under {@code dir}; returns that directory. */
  public static Path extract(Path archive, Path dir) throws IOException {
    Path out = Files.createTempDirectory(dir, "unpack-");
    try {
      LayerApplier.apply(archive, out, ApplyMode.PLAIN);
    } catch (IOException e) {
      throw BuildErrors.cannotUnpack(archive, e);
    }
    return out;
  }
}
