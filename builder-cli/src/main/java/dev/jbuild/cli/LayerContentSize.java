package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The SIZE {@code history} shows for a layer, as docker's: the size of the layer's content once
 * unpacked (moby's DiffSize of an overlay2 layer, pkg/directory.Size: the lstat sizes of what is
 * not a directory, each inode once), not the size of its blob. From the tar: regular files' sizes
 * plus symlink targets' lengths; hard links, devices, whiteouts and directories count nothing.
 */
final class LayerContentSize {
  private LayerContentSize() {}

  /** The content size of {@code layer}, or its blob size when the blob is not in the store. */
  static long of(Store store, Descriptor layer) throws IOException {
    Path blob = store.blobs().path(layer.digest());
    if (!Files.isRegularFile(blob)) {
      return layer.size();
    }
    long size = 0;
    try (LayerReader r = LayerReader.open(blob)) {
      for (TarEntry e = r.next(); e != null; e = r.next()) {
        if (e.type() == EntryType.FILE) {
          size += e.size();
        } else if (e.type() == EntryType.SYMLINK && e.linkName() != null) {
          size += e.linkName().getBytes(StandardCharsets.UTF_8).length;
        }
      }
    }
    return size;
  }
}
