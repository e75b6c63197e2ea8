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
 * The default unpacker: the codec's {@link LayerApplier} in OVERLAY mode. An uncompressed blob is
 * applied from its file, so file data is copied in the kernel (its digest is its diff ID, verified
 * when it was stored); a compressed blob is decompressed through a sha256 so the diff ID is
 * checked.
 */
final class DefaultUnpacker implements LayerUnpacker {
  static final DefaultUnpacker INSTANCE = new DefaultUnpacker();

  private DefaultUnpacker() {}

  @Override
  public Digest unpack(Path blobFile, LayerCompression compression, Path dir) throws IOException {
    if (compression == LayerCompression.NONE) {
      LayerApplier.apply(blobFile, dir, ApplyMode.OVERLAY);
      return null;
    }
    MessageDigest md = Digest.newSha256();
    try (InputStream raw = Files.newInputStream(blobFile);
        InputStream plain = Compression.decompressing(raw);
        DigestInputStream hashed = new DigestInputStream(plain, md)) {
      LayerApplier.apply(new NonClosing(hashed), dir, ApplyMode.OVERLAY);
      hashed.transferTo(OutputStream.nullOutputStream()); // the tar's trailing padding
    }
    return Digest.of(Digest.SHA256, md.digest());
  }

  /** Keeps the applier from closing the stream before the rest is hashed. */
  private static final class NonClosing extends java.io.FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
