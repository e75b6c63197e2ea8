package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextException;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.copy.AddSources;
import dev.jbuild.builder.copy.CopyItem;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;

/**
 * ADD's URLs: keyed by the --checksum when given (nothing is downloaded unless the step misses),
 * else by the downloaded content; on a miss the file becomes a one-file tree named as the URL's
 * last path component (or its Content-Disposition), with the server's Last-Modified time; with
 * {@code --unpack=true} an archive (tar, gzip, bzip2, xz, zstd; by content) is unpacked instead.
 */
final class CopyUrls {
  private CopyUrls() {}

  /** Keys the URL {@code url} and returns it resolved. */
  static CopySource.Url prepare(KeyBuilder key, AddInstruction add, String url, Store store)
      throws IOException, InterruptedException {
    if (add.checksum().isPresent()) {
      key.put("url:" + url, add.checksum().get());
      return new CopySource.Url(url, Optional.empty());
    }
    AddSources.Download d = AddSources.fetch(url, store.newTempDir("add"), add.checksum());
    key.put("url:" + url, d.digest().toString());
    return new CopySource.Url(url, Optional.of(d));
  }

  /**
   * The URL's file as an item to copy (downloading it now when {@link #prepare} did not).
   *
   * @param temps receives the temporary paths to delete after the layer is written
   */
  static CopyItem item(CopySource.Url url, AddInstruction add, Store store, List<Path> temps)
      throws IOException, InterruptedException {
    AddSources.Download d =
        url.download().isPresent()
            ? url.download().get()
            : AddSources.fetch(url.written(), store.newTempDir("add"), add.checksum());
    temps.add(d.file());
    if (add.unpack().orElse(false) && AddSources.isArchive(d.file())) {
      // ADD --unpack=true (BuildKit 1.17): a remote archive is unpacked like a local one
      Path unpacked = AddSources.extract(d.file(), store.newTempDir("unpack"));
      temps.add(unpacked);
      BuildContext tree = new BuildContext(unpacked, IgnoreFilter.NONE, FileHashCache.inMemory());
      try {
        ContextFile top = tree.resolve(".", false).getFirst();
        return new CopyItem.Tree(tree, top, d.name(), IgnoreFilter.NONE, "", true);
      } catch (ContextException e) {
        throw BuildErrors.downloadedSource(e.getMessage(), e);
      }
    }
    Path dir = Files.createTempDirectory(store.newTempDir("url"), "u");
    Path file = dir.resolve(d.name());
    Files.move(d.file(), file);
    Posix.chmod(file, 0600);
    Files.setLastModifiedTime(file, FileTime.from(d.mtime()));
    temps.add(dir);
    BuildContext tree = new BuildContext(dir, IgnoreFilter.NONE, FileHashCache.inMemory());
    ContextFile f;
    try {
      f = tree.resolve(d.name(), false).getFirst();
    } catch (ContextException e) {
      throw BuildErrors.downloadedSource(e.getMessage(), e);
    }
    return new CopyItem.Tree(tree, f, d.name(), IgnoreFilter.NONE, "");
  }
}
