package dev.jbuild.builder.publish;

import dev.jbuild.layercache.archive.DockerArchive;
import dev.jbuild.layercache.archive.LocalExport;
import dev.jbuild.layercache.archive.OciArchive;
import dev.jbuild.layercache.archive.TaggedImage;
import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.io.NonClosingOutputStream;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes {@link Export}s of a built image. */
final class Exports {
  private Exports() {}

  /**
   * Writes {@code image} as {@code spec} says.
   *
   * @param tags the image's names (the first names it in an archive unless {@code name=} does)
   */
  static void write(Store store, Image image, List<String> tags, Export spec) throws IOException {
    write(store, image.manifestDescriptor(), tags, spec);
  }

  /**
   * Writes the image or multi-platform image (an index) {@code target} as {@code spec} says: an OCI
   * archive holds the index and every image's blobs; a docker archive one platform's image ({@code
   * platform=} of the output, else this machine's, as {@code docker save --platform}); {@code
   * local} and {@code tar} one subdirectory per platform ({@code linux_amd64/}, as BuildKit), and
   * the attestations as statement files ({@link ExportedAttestations}).
   */
  public static void write(Store store, Descriptor target, List<String> tags, Export spec)
      throws IOException {
    Descriptor plain = target.withAnnotations(null);
    String name = spec.attrs().getOrDefault("name", tags.isEmpty() ? null : tags.getFirst());
    switch (spec.type()) {
      case OCI -> {
        // buildx's default: gzip layers (the store keeps them uncompressed)
        Descriptor compressed =
            LayerCompression.of(spec.attrs(), Compression.GZIP).apply(store, plain);
        List<TaggedImage> images = List.of(new TaggedImage(name, compressed));
        Map<String, String> notes = prefixed(spec.attrs(), Export.INDEX_DESCRIPTOR_PREFIX);
        toFile(spec.dest(), out -> OciArchive.write(store, images, notes, out));
      }
      case DOCKER -> {
        Platform platform = platform(spec);
        List<TaggedImage> images = List.of(new TaggedImage(name, plain));
        if (spec.loadsIntoDocker()) {
          DockerDaemon.load(out -> DockerArchive.write(store, images, platform, out));
        } else {
          toFile(spec.dest(), out -> DockerArchive.write(store, images, platform, out));
        }
      }
      case LOCAL -> {
        Path dir = Path.of(spec.dest());
        Files.createDirectories(dir);
        LocalExport.writeAll(store, plain, dir);
        ExportedAttestations.write(
            store, plain, dir, spec.attrs().get(ExportedAttestations.PREFIX_KEY));
      }
      case TAR -> {
        Path tmp = store.newTempDir("export");
        LocalExport.writeAll(store, plain, tmp);
        ExportedAttestations.write(
            store, plain, tmp, spec.attrs().get(ExportedAttestations.PREFIX_KEY));
        LayerCompression c = LayerCompression.of(spec.attrs(), Compression.NONE);
        toFile(
            spec.dest(),
            out -> {
              OutputStream z =
                  c.compression()
                      .compress(
                          new NonClosingOutputStream(out),
                          c.level(),
                          Runtime.getRuntime().availableProcessors());
              try (LayerWriter w = LayerWriter.open(z, LayerWriterOptions.defaults())) {
                DirectoryWalker.writeTo(tmp, DirectoryWalker.Options.defaults(), w);
                w.finish();
              }
              z.close();
            });
      }
      case IMAGE, CACHEONLY -> {
        // the store and the registry: Publisher's
      }
    }
  }

  private static Map<String, String> prefixed(Map<String, String> attrs, String prefix) {
    Map<String, String> out = new TreeMap<>();
    attrs.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }

  private static Platform platform(Export spec) throws IOException {
    String p = spec.attrs().get("platform");
    if (p == null) {
      return Platform.host();
    }
    try {
      return Platform.parse(p);
    } catch (IllegalArgumentException e) {
      throw new IOException("--output type=docker,platform=" + p + ": " + e.getMessage(), e);
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
