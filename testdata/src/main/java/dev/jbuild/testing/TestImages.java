package dev.jbuild.testing;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Busybox images made at test time (no registry needed): the root filesystem of {@link
 * BusyboxRootfs} as the base layer, optionally more small layers on top, imported into a {@link
 * Store} and tagged.
 *
 * <pre>{@code
 * Descriptor d = TestImages.busybox(store, "busybox:latest");
 * Descriptor ten = TestImages.busybox(store, "bb10", TestImages.Options.layers(10));
 * }</pre>
 *
 * <p>Layer {@code i} (from 1) above the base adds {@code /layers/<i>} holding "layer i". The config
 * has Docker's PATH, Cmd ["sh"], one history entry per layer and a fixed creation time, so an image
 * made twice with the same options has the same digests.
 */
public final class TestImages {
  /** The creation time of every test image and of its history entries. */
  public static final Instant CREATED = BusyboxRootfs.MTIME;

  public static final String PATH_ENV =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /**
   * How to make the image.
   *
   * @param layers how many layers in total (at least 1: the busybox base)
   * @param compression how the layer blobs are stored (NONE: diff ID = blob digest)
   * @param config edits applied to the config after the defaults
   * @param platform the image's platform: the host's, or linux/arm64 (busybox from {@link
   *     BusyboxRootfs#ARM64_BUSYBOX})
   */
  public record Options(
      int layers, Compression compression, UnaryOperator<ImageConfig> config, Platform platform) {
    public Options(int layers, Compression compression, UnaryOperator<ImageConfig> config) {
      this(layers, compression, config, Platform.host());
    }

    public Options {
      if (layers < 1) {
        throw new IllegalArgumentException("an image needs at least the base layer");
      }
      Objects.requireNonNull(compression, "compression");
      Objects.requireNonNull(config, "config");
    }

    public static Options defaults() {
      return new Options(1, Compression.NONE, UnaryOperator.identity());
    }

    public static Options layers(int n) {
      return defaults().withLayers(n);
    }

    public Options withLayers(int n) {
      return new Options(n, compression, config, platform);
    }

    public Options withCompression(Compression c) {
      return new Options(layers, c, config, platform);
    }

    public Options withConfig(UnaryOperator<ImageConfig> edit) {
      return new Options(layers, compression, edit, platform);
    }

    /** The image for {@code p}: the host's platform or linux/arm64. */
    public Options withPlatform(Platform p) {
      return new Options(layers, compression, config, p);
    }
  }

  /** A layer stored in the store: its blob descriptor and diff ID. */
  public record StoredLayer(Descriptor blob, Digest diffId) {}

  private TestImages() {}

  /** A one-layer busybox image tagged {@code tag}; returns the manifest descriptor. */
  public static Descriptor busybox(Store store, String tag) throws IOException {
    return busybox(store, tag, Options.defaults());
  }

  /** A busybox image made as {@code options} say, tagged {@code tag}. */
  public static Descriptor busybox(Store store, String tag, Options options) throws IOException {
    Descriptor d = busyboxManifest(store, options);
    store.images().tag(tag, d);
    return d;
  }

  /** The platforms of {@link #busyboxMulti}, in its index's order. */
  public static final List<Platform> MULTI_PLATFORMS =
      List.of(Platform.linux("amd64"), Platform.linux("arm64"));

  /**
   * A two-platform busybox, like the lab's {@code busybox-multi}: an OCI image index of a
   * linux/amd64 and a linux/arm64 busybox image (each descriptor carrying its platform), tagged
   * {@code tag}; the two manifests are stored but not named. Needs the arm64 binary {@code
   * .ci/setup} fetches. Returns the index descriptor.
   */
  public static Descriptor busyboxMulti(Store store, String tag) throws IOException {
    List<Descriptor> manifests = new ArrayList<>();
    for (Platform p : MULTI_PLATFORMS) {
      Descriptor d = busyboxManifest(store, Options.defaults().withPlatform(p));
      manifests.add(d.withPlatform(p));
    }
    Descriptor index = store.images().putIndex(ImageIndex.of(manifests));
    store.images().tag(tag, index);
    return index;
  }

  private static Descriptor busyboxManifest(Store store, Options options) throws IOException {
    if (!options.platform().matches(Platform.host())
        && !options.platform().matches(Platform.linux("arm64"))) {
      throw new IllegalArgumentException("no busybox for " + options.platform());
    }
    List<StoredLayer> layers = new ArrayList<>();
    Path base = store.newTempDir("busybox-").resolve("rootfs");
    BusyboxRootfs.write(
        base,
        options.platform().matches(Platform.host())
            ? BusyboxRootfs.HOST_BUSYBOX
            : BusyboxRootfs.ARM64_BUSYBOX);
    layers.add(layerFromDirectory(store, base, options.compression()));
    for (int i = 1; i < options.layers(); i++) {
      Path dir = store.newTempDir("layer-").resolve("rootfs");
      Files.createDirectories(dir.resolve("layers"));
      Posix.chmod(dir, 0755);
      Files.writeString(dir.resolve("layers/" + i), "layer " + i + "\n", StandardCharsets.UTF_8);
      Posix.utimensat(dir.resolve("layers/" + i), CREATED, CREATED);
      Posix.utimensat(dir.resolve("layers"), CREATED, CREATED);
      layers.add(layerFromDirectory(store, dir, options.compression()));
    }
    ImageConfig config =
        ImageConfig.empty(options.platform())
            .withCreated(CREATED)
            .withEnv("PATH", PATH_ENV.substring("PATH=".length()))
            .withCmd(List.of("sh"));
    for (int i = 0; i < layers.size(); i++) {
      String by =
          i == 0
              ? "/bin/sh -c #(nop) ADD file:busybox-static in / "
              : "/bin/sh -c echo layer " + i + " > /layers/" + i;
      config = config.withAddedLayer(layers.get(i).diffId(), History.of(CREATED, by, null, false));
    }
    config =
        config.withAddedHistory(History.of(CREATED, "/bin/sh -c #(nop)  CMD [\"sh\"]", null, true));
    config = options.config().apply(config);
    Descriptor configDescriptor = store.images().putConfig(config);
    ImageManifest manifest =
        ImageManifest.of(configDescriptor, layers.stream().map(StoredLayer::blob).toList());
    return store.images().putManifest(manifest);
  }

  /**
   * A Debian bookworm image (debootstrap minbase, like {@code debian:bookworm-slim}) tagged {@code
   * tag}, from {@link DebianRootfs} (made once per machine from the Debian mirror).
   */
  public static Descriptor debian(Store store, String tag) throws IOException {
    Path rootfs = DebianRootfs.get();
    Path copy = store.newTempDir("debian-").resolve("rootfs");
    Process cp =
        new ProcessBuilder("cp", "-a", rootfs.toString(), copy.toString())
            .redirectErrorStream(true)
            .start();
    try {
      String out = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (cp.waitFor() != 0) {
        throw new IOException("cp -a " + rootfs + ": " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    Files.delete(copy.resolve(".complete"));
    StoredLayer layer = layerFromDirectory(store, copy, Compression.NONE);
    ImageConfig config =
        ImageConfig.empty(Platform.host())
            .withCreated(CREATED)
            .withEnv("PATH", PATH_ENV.substring("PATH=".length()))
            .withCmd(List.of("bash"))
            .withAddedLayer(
                layer.diffId(),
                History.of(
                    CREATED, "/bin/sh -c #(nop) ADD file:debootstrap-minbase in / ", null, false))
            .withAddedHistory(History.of(CREATED, "/bin/sh -c #(nop)  CMD [\"bash\"]", null, true));
    Descriptor configDescriptor = store.images().putConfig(config);
    Descriptor manifest =
        store.images().putManifest(ImageManifest.of(configDescriptor, List.of(layer.blob())));
    store.images().tag(tag, manifest);
    return manifest;
  }

  /**
   * Writes the contents of {@code dir} (a directory in the store's temp space) as a layer blob and
   * hands {@code dir} to the layer store as the layer's unpacked form (it is consumed).
   */
  public static StoredLayer layerFromDirectory(Store store, Path dir, Compression compression)
      throws IOException {
    StoredLayer layer;
    try (BlobWriter blob = store.blobs().newWriter();
        LayerWriter writer = LayerWriter.open(blob, LayerWriterOptions.of(compression))) {
      DirectoryWalker.writeTo(dir, DirectoryWalker.Options.defaults(), writer);
      LayerDigests d = writer.finish();
      BlobInfo info = blob.commit(d.blobDigest());
      Descriptor descriptor =
          info.toDescriptor(MediaTypes.OCI_LAYER + compression.mediaTypeSuffix());
      layer = new StoredLayer(descriptor, d.diffId());
    }
    store.layers().adopt(layer.diffId(), layer.blob(), dir);
    return layer;
  }
}
