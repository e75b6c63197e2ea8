package dev.jbuild.builder.publish;

import dev.jbuild.layercache.archive.RegistryCache;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.ConsoleProgress;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.registry.Pusher;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The build's steps around the store: importing registry caches before it, and after it writing the
 * image ID file, the exports, the pushes and the cache export ({@link Publication}). Reports go to
 * {@code log} (the terminal's error stream), one line each.
 */
public final class Publisher {
  private final Store store;
  private final Registries registries;
  private final PrintWriter log;

  public Publisher(Store store, Registries registries, PrintWriter log) {
    this.store = store;
    this.registries = registries;
    this.log = log;
  }

  /** Imports the records of every --cache-from; a cache that cannot be read is a warning. */
  public void importCaches(Publication p) {
    for (ImageReference ref : p.cacheFrom()) {
      try {
        int n = new RegistryCache(store, registries, Progress.none()).importFrom(ref);
        log.println("importing cache from " + ref + ": " + n + " new steps");
      } catch (IOException e) {
        // a missing cache is normal on the first CI run: warn and build
        log.println("jbuild: warning: cannot import cache from " + ref + ": " + e.getMessage());
      }
    }
  }

  /**
   * Writes the image ID file and the exports, then pushes and exports the cache.
   *
   * @param keys the cache keys of the build's steps (what --cache-to exports)
   * @throws IOException when the ID file or an export cannot be written
   * @throws PublishFailure when a registry refuses a push or the cache export
   */
  public void publish(Publication p, Image image, List<String> tags, List<String> keys)
      throws IOException, PublishFailure {
    publish(p, image.manifestDescriptor(), image.id(), tags, keys);
  }

  /**
   * {@link #publish(Publication, Image, List, List)} of any image: a manifest, or a multi-platform
   * image's index (then {@code id} is the index digest, the ID file holds it, the exports and
   * pushes carry every platform as {@link Exports} and {@link Pusher} do).
   */
  public void publish(
      Publication p, Descriptor target, Digest id, List<String> tags, List<String> keys)
      throws IOException, PublishFailure {
    Optional<java.nio.file.Path> iid = p.iidFile();
    if (iid.isPresent()) {
      // whole or absent, as readable as a file the user creates (0666 less the umask)
      AtomicFiles.write(
          iid.get(),
          id.toString().getBytes(StandardCharsets.US_ASCII),
          AtomicFiles.Options.DEFAULT.withMode(0666));
    }
    for (Export e : p.exports()) {
      if (e.type() == Export.Type.IMAGE) {
        ImageOutput.write(store, registries, log, target, tags, e, p.quiet());
      } else {
        Exports.write(store, target, tags, e);
      }
    }
    for (ImageReference ref : p.push()) {
      push(target, ref, p.quiet());
    }
    for (ImageReference ref : p.cacheTo()) {
      exportCache(ref, keys);
    }
  }

  private void push(Descriptor image, ImageReference target, boolean quiet) throws PublishFailure {
    Progress progress = quiet ? Progress.none() : new ConsoleProgress(log, false);
    try {
      var r =
          new Pusher(store, registries, progress)
              .push(image.withAnnotations(null), target, PushOptions.defaults());
      if (!quiet) {
        log.println("pushed " + target + "@" + r.digest());
      }
    } catch (IOException e) {
      throw new PublishFailure(e);
    }
  }

  private void exportCache(ImageReference ref, List<String> keys)
      throws IOException, PublishFailure {
    Map<String, CacheRecord> records = new LinkedHashMap<>();
    for (String k : keys) {
      store.cache().get(k).ifPresent(rec -> records.put(k, rec));
    }
    try {
      var digest =
          new RegistryCache(store, registries, Progress.none())
              .export(records, ref, PushOptions.defaults());
      log.println("exported " + records.size() + " cached steps to " + ref + "@" + digest);
    } catch (IOException e) {
      throw new PublishFailure(e);
    }
  }
}
