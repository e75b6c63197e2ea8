package dev.jbuild.serve;

import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

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

  /**
   * Makes {@code dir} hold the context in {@code body} (a tar, plain or gzipped); {@code dir} may
   * hold a previous context, which {@link ContextSync} updates in place. The delta goes to the
   * store's staging.
   */
  static ContextSync.Stats extract(Store store, InputStream body, long maxBytes, Path dir)
      throws IOException, ApiException {
    Path work = store.newTempDir("api-context");
    dev.jbuild.builder.progress.Trace.mark("api context received");
    try {
      java.io.BufferedInputStream in =
          new java.io.BufferedInputStream(bounded(body, maxBytes), 1 << 16);
      in.mark(8);
      byte[] head = in.readNBytes(6);
      in.reset();
      InputStream tar = in;
      if (head.length == 0) {
        tar = new java.io.ByteArrayInputStream(new byte[1024]); // empty: an empty tar
      } else if (isBzip2OrXz(head)) {
        throw ApiException.badRequest(
            "the build context is bzip2 or xz compressed: send it plain or gzipped");
      }
      ContextSync.Stats stats = ContextSync.sync(tar, dir, work.resolve("delta.tar"), maxBytes);
      dev.jbuild.builder.progress.Trace.mark("api context extracted");
      return stats;
    } catch (IOException e) {
      if (e.getCause() instanceof ApiException a) {
        throw a;
      }
      throw ApiException.badRequest("invalid build context archive: " + e.getMessage());
    } finally {
      dev.jbuild.runner.Trees.deleteQuietly(work);
    }
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
