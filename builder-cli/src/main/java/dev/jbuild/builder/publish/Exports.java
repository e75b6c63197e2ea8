package dev.jbuild.builder.publish;

import dev.jbuild.layercache.archive.DockerArchive;
import dev.jbuild.layercache.archive.LocalExport;
import dev.jbuild.layercache.archive.OciArchive;
import dev.jbuild.layercache.archive.TaggedImage;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes {@link Export}s of a built image. */
final class Exports {
  private Exports() {}

  /**
   * Writes the image (or image index) {@code root} as {@code spec} says.
   *
   * @param tags the image's names (the first names it in an archive unless {@code name=} does)
   */
  static void write(
      Store store, dev.jbuild.layercache.model.Descriptor root, List<String> tags, Export spec)
      throws IOException {
    String name = spec.attrs().getOrDefault("name", tags.isEmpty() ? null : tags.getFirst());
    List<TaggedImage> images = List.of(new TaggedImage(name, root.withAnnotations(null)));
    switch (spec.type()) {
      case OCI -> toFile(spec.dest(), out -> OciArchive.write(store, images, out));
      case DOCKER -> toFile(spec.dest(), out -> DockerArchive.write(store, images, out));
      case LOCAL -> {
        Path dir = Path.of(spec.dest());
        Files.createDirectories(dir);
        LocalExport.write(store, root, dir);
      }
      case TAR -> {
        Path tmp = store.newTempDir("export");
        LocalExport.write(store, root, tmp);
        toFile(
            spec.dest(),
            out -> {
              try (LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults())) {
                DirectoryWalker.writeTo(tmp, DirectoryWalker.Options.defaults(), w);
                w.finish();
              }
            });
      }
    }
  }

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /** Writes atomically and durably ({@link AtomicFiles}), or to stdout for "-". */
  private static void toFile(String dest, Writer w) throws IOException {
    if (dest.equals("-")) {
      OutputStream out = System.out;
      w.write(out);
      out.flush();
      return;
    }
    Path target = Path.of(dest).toAbsolutePath();
    Path parent = target.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    AtomicFiles.sweep(parent);
    AtomicFiles.write(target, w::write);
  }
}
