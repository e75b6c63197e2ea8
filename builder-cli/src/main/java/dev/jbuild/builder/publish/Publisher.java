package dev.jbuild.builder.publish;

import dev.jbuild.layercache.archive.LocalCache;
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
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

  /**
   * Imports the records of every --cache-from; a cache that cannot be read is a warning. Returns
   * the lines to show: one per cache, what it brought or the warning.
   */
  public List<String> importCaches(Publication p) {
    List<String> lines = new ArrayList<>();
    for (CacheImport c : p.cacheFrom()) {
      String name =
          switch (c) {
            case CacheImport.Registry r -> r.ref().toString();
            case CacheImport.Local l -> l.src().toString();
          };
      try {
        int n =
            switch (c) {
              case CacheImport.Registry r ->
                  new RegistryCache(store, registries, Progress.none()).importFrom(r.ref());
              case CacheImport.Local l -> new LocalCache(store).importFrom(l.src());
            };
        lines.add("importing cache from " + name + ": " + n + " new steps");
      } catch (java.nio.file.NoSuchFileException e) {
        lines.add("jbuild: warning: cannot import cache from " + name + ": not found");
      } catch (IOException e) {
        // a missing cache is normal on the first CI run: warn and build (as buildx)
        lines.add("jbuild: warning: cannot import cache from " + name + ": " + e.getMessage());
      }
    }
    return lines;
  }

  /**
   * Writes the image ID file and the exports, then pushes, exports the cache and writes the
   * metadata file.
   *
   * @param target the image: a manifest, or a multi-platform image's index (then {@code id} is the
   *     index digest, the ID file holds it, the exports and pushes carry every platform as {@link
   *     Exports} and {@link Pusher} do)
   * @param config the image's config digest (null for an index)
   * @param keys the cache keys of the build's steps (what --cache-to exports)
   * @throws IOException when the ID file, an export or the metadata file cannot be written
   * @throws PublishFailure when a registry refuses a push or the cache export
   */
  public void publish(
      Publication p, Descriptor target, Digest id, Digest config, List<String> tags, CacheKeys keys)
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
    Descriptor pushed = null;
    for (ImageReference ref : p.push()) {
      Pusher.Result r = push(target, ref, p.quiet());
      pushed = Descriptor.of(target.mediaType(), r.digest(), r.size());
    }
    for (CacheExport c : p.cacheTo()) {
      exportCache(c, keys);
    }
    if (p.metadataFile().isPresent()) {
      BuildMetadata.write(
          p.metadataFile().get(),
          pushed != null ? pushed : target.withAnnotations(null),
          config,
          tags);
    }
  }

  private Pusher.Result push(Descriptor image, ImageReference target, boolean quiet)
      throws PublishFailure {
    Progress progress = quiet ? Progress.none() : new ConsoleProgress(log, false);
    try {
      var r =
          new Pusher(store, registries, progress)
              .push(image.withAnnotations(null), target, PushOptions.defaults());
      if (!quiet) {
        log.println("pushed " + target + "@" + r.digest());
      }
      return r;
    } catch (IOException e) {
      throw new PublishFailure(e);
    }
  }

  private void exportCache(CacheExport c, CacheKeys keys) throws IOException, PublishFailure {
    if (c instanceof CacheExport.Inline) {
      return; // in the image's config already (Builder)
    }
    Map<String, CacheRecord> records = new LinkedHashMap<>();
    for (String k : keys.of(c.mode())) {
      store.cache().get(k).ifPresent(rec -> records.put(k, rec));
    }
    String where = c instanceof CacheExport.Registry r ? r.ref().toString() : "";
    if (c instanceof CacheExport.Local l) {
      where = l.dest().toString();
    }
    try {
      // an imported cache's layers the build never needed are still remote: the export reads them
      List<Descriptor> blobs = new ArrayList<>();
      for (CacheRecord rec : records.values()) {
        rec.layers().forEach(l -> blobs.add(l.blob()));
      }
      store.remote().ensure(blobs);
      Digest digest =
          switch (c) {
            case CacheExport.Registry r -> {
              yield new RegistryCache(store, registries, Progress.none())
                  .export(
                      records, r.ref(), options(r.layers()), r.imageManifest(), r.ociMediaTypes());
            }
            case CacheExport.Local l -> {
              yield new LocalCache(store)
                  .export(records, l.dest(), options(l.layers()), l.imageManifest());
            }
            case CacheExport.Inline i -> throw new IllegalStateException("inline");
          };
      log.println("exported " + records.size() + " cached steps to " + where + "@" + digest);
    } catch (IOException e) {
      if (c.ignoreError()) {
        log.println("jbuild: warning: cannot export cache to " + where + ": " + e.getMessage());
        return;
      }
      if (c instanceof CacheExport.Local) {
        throw e;
      }
      throw new PublishFailure(e);
    }
  }

  private static PushOptions options(CacheExport.Layers layers) {
    return PushOptions.defaults().withCompression(layers.compression()).withLevel(layers.level());
  }
}
