package dev.jbuild.layercache.store;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes.LayerCompression;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;

/**
 * The default unpacker: the codec's {@link LayerApplier} in OVERLAY mode. Every blob is read once
 * through a sha256 (decompressed first when compressed), so what is unpacked is checked against its
 * diff ID while it streams: a blob corrupted in the store since it was written is never unpacked.
 * (Applying from the file with kernel copies was faster but trusted the file.)
 */
final class DefaultUnpacker implements LayerUnpacker {
  static final DefaultUnpacker INSTANCE = new DefaultUnpacker();

  private DefaultUnpacker() {}

  @Override
  public Digest unpack(Path blobFile, LayerCompression compression, Path dir) throws IOException {
    MessageDigest md = Digest.newSha256();
    try (InputStream raw = Files.newInputStream(blobFile);
        InputStream plain =
            compression == LayerCompression.NONE ? raw : Compression.decompressing(raw);
        DigestInputStream hashed = new DigestInputStream(plain, md)) {
      LayerApplier.apply(new NonClosing(hashed), dir, ApplyMode.OVERLAY);
      hashed.transferTo(OutputStream.nullOutputStream()); // the tar's trailing padding
    }
    return Digest.of(Digest.SHA256, md.digest());
  }

  /**
   * Keeps the applier from closing the stream before the rest is hashed, makes skipped bytes pass
   * through the digest (DigestInputStream does not hash what is skipped), and hides mark/reset of
   * the stream below (bytes read after a mark and read again after the reset would be hashed
   * twice).
   */
  private static final class NonClosing extends java.io.FilterInputStream {
    private final byte[] skipBuffer = new byte[64 * 1024];

    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public long skip(long n) throws IOException {
      long done = 0;
      while (done < n) {
        int r = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }

    @Override
    public void skipNBytes(long n) throws IOException {
      if (skip(n) < n) {
        throw new java.io.EOFException();
      }
    }

    @Override
    public long transferTo(java.io.OutputStream out) throws IOException {
      long total = 0;
      int r;
      while ((r = in.read(skipBuffer)) >= 0) {
        out.write(skipBuffer, 0, r);
        total += r;
      }
      return total;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void mark(int limit) {}

    @Override
    public void reset() throws IOException {
      throw new IOException("mark/reset not supported");
    }

    @Override
    public void close() {}
  }
}
