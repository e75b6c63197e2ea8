package dev.jbuild.builder.exec;

import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StorePermissions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Base images resolved lazily ({@link RegistryImages} with {@code lazy}): which manifest a
 * reference named for a platform, kept in {@code <root>/builder/lazy-bases/<sha256 of reference and
 * platform>} so a later build uses it without asking the registry, as it would use a tag. It counts
 * only while the store has the manifest and config and every layer is in the store or still remote
 * (prune drops remote entries no cache record uses): otherwise the base is resolved again.
 */
final class LazyBases {
  private final Store store;
  private final Path dir;

  LazyBases(Store store) {
    this.store = store;
    this.dir = store.root().resolve("builder").resolve("lazy-bases");
  }

  /** The remembered image of {@code ref} for {@code platform}, when it is still usable. */
  Optional<BaseImage> find(ImageReference ref, Platform platform) throws IOException {
    if (ref.digest() != null) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file(ref, platform));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Descriptor manifest;
    try {
      JsonObject o = Json.parseObject(bytes);
      if (!ref.toString().equals(o.string("reference"))
          || !platform.toString().equals(o.string("platform"))) {
        return Optional.empty();
      }
      manifest = Descriptor.fromJson(o.object("manifest"));
    } catch (RuntimeException e) {
      return Optional.empty(); // unreadable: resolved again and rewritten
    }
    if (!usable(manifest)) {
      return Optional.empty();
    }
    return Optional.of(StoreImages.load(store, manifest, platform));
  }

  private boolean usable(Descriptor manifest) {
    try {
      if (!store.blobs().has(manifest.digest())) {
        return false;
      }
      ImageManifest m = store.images().manifest(manifest.digest());
      if (!store.blobs().has(m.config().digest())) {
        return false;
      }
      for (Descriptor l : m.layers()) {
        if (!store.remote().available(l.digest())) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Remembers that {@code ref} named {@code manifest} for {@code platform}. */
  void remember(ImageReference ref, Platform platform, Descriptor manifest) throws IOException {
    if (ref.digest() != null) {
      return; // a digest reference needs no memory: the store has the manifest by its digest
    }
    StorePermissions.createPrivateDirectories(dir);
    byte[] bytes =
        JsonObject.builder()
            .put("reference", ref.toString())
            .put("platform", platform.toString())
            .put("manifest", manifest.withAnnotations(null).withPlatform(null).toJson())
            .build()
            .toBytes();
    AtomicFiles.write(
        file(ref, platform), bytes, AtomicFiles.Options.DEFAULT.stagedIn(store.stagingDir()));
  }

  private Path file(ImageReference ref, Platform platform) {
    String name = ref + "\0" + platform;
    return dir.resolve(Digest.sha256(name.getBytes(StandardCharsets.UTF_8)).hex());
  }
}
