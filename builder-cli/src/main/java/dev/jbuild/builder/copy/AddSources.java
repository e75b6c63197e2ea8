package dev.jbuild.builder.copy;

import dev.jbuild.layercache.model.Digest;
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
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

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
   * checksum} (ADD --checksum) when given.
   */
  public static Download fetch(String url, Path dir, Optional<String> checksum)
      throws IOException, InterruptedException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid URL " + url + ": " + e.getMessage());
    }
    HttpClient client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<InputStream> resp;
    try {
      resp =
          client.send(
              HttpRequest.newBuilder(uri).GET().header("User-Agent", "jbuild").build(),
              HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new IOException("cannot fetch " + url + ": " + describe(e), e);
    }
    Path file = Files.createTempFile(dir, "add-", "");
    MessageDigest md = Digest.newSha256();
    try (InputStream in = resp.body()) {
      if (resp.statusCode() / 100 != 2) {
        throw new IOException("cannot fetch " + url + ": HTTP " + resp.statusCode());
      }
      try (OutputStream out = Files.newOutputStream(file)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
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
        throw new IOException("invalid --checksum " + checksum.get() + ": " + e.getMessage());
      }
      Digest got = want.algorithm().equals(Digest.SHA256) ? digest : digestOf(file, want);
      if (!got.equals(want)) {
        Files.deleteIfExists(file);
        throw new IOException(
            "checksum mismatch for " + url + ": expected " + want + ", got " + got);
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
      throw new IOException("cannot unpack " + archive.getFileName() + ": " + e.getMessage(), e);
    }
    return out;
  }
}
