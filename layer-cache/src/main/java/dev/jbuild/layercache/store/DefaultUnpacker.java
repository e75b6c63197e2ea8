package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes.LayerCompression;
import java.io.IOException;
import java.nio.file.Path;

/** The default unpacker: the codec's LayerApplier in OVERLAY mode. */
final class DefaultUnpacker implements LayerUnpacker {
  static final DefaultUnpacker INSTANCE = new DefaultUnpacker();

  private DefaultUnpacker() {}

  @Override
  public Digest unpack(Path blobFile, LayerCompression compression, Path dir) throws IOException {
    throw new IOException(
        "cannot unpack " + blobFile + ": the layer applier (codec) is not merged into this build");
  }
}
