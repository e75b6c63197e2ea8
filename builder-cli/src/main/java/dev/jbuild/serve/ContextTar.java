package dev.jbuild.serve;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A build context or an archive a client sends: streamed to a spool file in the store's staging
 * (never held in memory, at most {@code maxBytes}), then extracted by the confined tar code ({@link
 * LayerApplier}, as {@code jbuild build -} does: no path of the archive is followed out of the
 * directory), a gzip archive decompressed within the same bound. Hostile input: a bound passed or a
 * broken archive is a 400.
 */
final class ContextTar {
  private ContextTar() {}

  /** The default bound of a context, raw and decompressed: 8 GiB. */
  static final long DEFAULT_MAX = 8L << 30;

  static long maxBytes(java.util.Map<String, String> env) {
    String v = env.get("JBUILD_SERVE_MAX_CONTEXT");
    if (v != null && v.matches("[0-9]{1,18}")) {
      return Long.parseLong(v);
    }
    return DEFAULT_MAX;
  }

  /** Spools {@code body} into a new file in {@code dir}, at most {@code maxBytes}. */
  static Path spool(InputStream body, Path dir, long maxBytes) throws IOException, ApiException {
    Path spool = dir.resolve("body.tar");
    try (OutputStream out = Files.newOutputStream(spool)) {
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      while ((n = body.read(buf)) >= 0) {
        total += n;
        if (total > maxBytes) {
          throw new ApiException(413, "the archive is larger than " + maxBytes + " bytes");
        }
        out.write(buf, 0, n);
      }
    }
    return spool;
  }

  /**
   * Extracts the context in {@code body} into a new directory of the store's staging and returns
   * it; the caller deletes it.
   */
  static Path extract(Store store, InputStream body, long maxBytes)
      throws IOException, ApiException {
    Path work = store.newTempDir("api-context");
    Path dir = work.resolve("context");
    Files.createDirectories(dir);
    Path spool = spool(body, work, maxBytes);
    try {
      byte[] head;
      try (InputStream in = Files.newInputStream(spool)) {
        head = in.readNBytes(6);
      }
      if (head.length == 0) {
        return dir; // an empty context (docker build - < Dockerfile sends the Dockerfile alone)
      }
      if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
        try (InputStream in =
            bounded(
                new GZIPInputStream(new BufferedInputStream(Files.newInputStream(spool)), 65536),
                maxBytes)) {
          LayerApplier.apply(in, dir, ApplyMode.PLAIN);
        }
      } else if (isBzip2OrXz(head)) {
        throw ApiException.badRequest(
            "the build context is bzip2 or xz compressed: send it plain or gzipped");
      } else {
        LayerApplier.apply(spool, dir, ApplyMode.PLAIN);
      }
    } catch (IOException e) {
      if (e.getCause() instanceof ApiException a) {
        throw a;
      }
      throw ApiException.badRequest("invalid build context archive: " + e.getMessage());
    } finally {
      Files.deleteIfExists(spool);
    }
    return dir;
  }

  private static boolean isBzip2OrXz(byte[] h) {
    boolean bzip2 = h.length >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h';
    boolean xz = h.length >= 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z';
    return bzip2 || xz;
  }

  /** At most {@code max} bytes of {@code in}: a decompression bomb ends as an IOException. */
  static InputStream bounded(InputStream in, long max) {
    return new java.io.FilterInputStream(in) {
      private long total;

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0 && ++total > max) {
          throw new IOException(
              new ApiException(413, "the archive expands past " + max + " bytes"));
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0 && (total += n) > max) {
          throw new IOException(
              new ApiException(413, "the archive expands past " + max + " bytes"));
        }
        return n;
      }
    };
  }
}
