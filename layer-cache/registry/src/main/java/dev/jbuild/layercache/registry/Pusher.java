package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.compress.ParallelGzipOutputStream;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.MediaTypes.LayerCompression;
import dev.jbuild.layercache.store.AttestationSubjects;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.ImageStore;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pushes images from a {@link Store}. Layers stored uncompressed are compressed on all cores while
 * they upload (one pass: the compressed bytes go both to the registry and into the store, where
 * they are registered for the layer's diffId, so the next push of that layer compresses nothing).
 * Each blob is checked first (HEAD), then mounted from a sibling repository when one may have it,
 * then uploaded; the config goes next and the manifest last.
 */
public final class Pusher {
  private final Store store;
  private final Registries registries;
  private final Progress progress;

  /** Repositories (host/repo) known to hold a blob, learned during this pusher's pushes. */
  private final ConcurrentHashMap<Digest, Set<String>> seen = new ConcurrentHashMap<>();

  public Pusher(Store store, Registries registries, Progress progress) {
    this.store = store;
    this.registries = registries;
    this.progress = progress;
  }

  /** What was pushed: the reference, the manifest (or index) digest and size. */
  public record Result(ImageReference reference, Digest digest, long size) {}

  /**
   * Pushes the image {@code image} (a manifest or index descriptor from the store) as {@code dest}.
   */
  public Result push(Descriptor image, ImageReference dest, PushOptions options)
      throws IOException {
    Registries.Source target = registries.pushTarget(dest);
    String reference = dest.tag() != null ? dest.tag() : dest.digest().toString();
    RawManifest pushed =
        MediaTypes.isIndex(image.mediaType())
            ? pushIndex(target, image, 1, options)
            : pushManifest(target, image, options);
    Digest digest = target.registry().putManifest(target.repository(), reference, pushed);
    progress.message(
        (dest.tag() != null ? dest.tag() : "digest")
            + ": digest: "
            + digest
            + " size: "
            + pushed.size());
    return new Result(dest, digest, pushed.size());
  }

  /**
   * {@code manifest push} without {@code --all}: only the index {@code index}, as stored, after
   * checking (HEAD) that the destination repository has every manifest it lists; a missing one
   * fails the push before anything is written.
   */
  public Result pushIndexOnly(Descriptor index, ImageReference dest) throws IOException {
    Registries.Source target = registries.pushTarget(dest);
    String reference = dest.tag() != null ? dest.tag() : dest.digest().toString();
    ImageIndex idx = checked(index, 1);
    for (Descriptor child : idx.manifests()) {
      if (target
          .registry()
          .headManifest(target.repository(), child.digest().toString())
          .isEmpty()) {
        throw RegistryErrors.indexChildMissing(
            target.describe(),
            child.digest(),
            child.platform() == null ? null : child.platform().toString());
      }
    }
    byte[] bytes = store.blobs().read(index.digest());
    RawManifest raw = RawManifest.of(idx.effectiveMediaType(), bytes);
    Digest digest = target.registry().putManifest(target.repository(), reference, raw);
    progress.message(
        (dest.tag() != null ? dest.tag() : "digest")
            + ": digest: "
            + digest
            + " size: "
            + raw.size());
    return new Result(dest, digest, raw.size());
  }

  private ImageIndex checked(Descriptor index, int depth) throws IOException {
    try {
      return store.images().index(index.digest()).checkBounds("index " + index.digest(), depth);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * An index and every image (and index) below it, children first, each put by digest; the index
   * keeps its stored bytes (and digest) unless a child's manifest had to be rewritten (layers
   * compressed on the way).
   */
  private RawManifest pushIndex(
      Registries.Source target, Descriptor image, int depth, PushOptions options)
      throws IOException {
    ImageIndex index = checked(image, depth);
    List<Descriptor> children = new ArrayList<>();
    boolean changed = false;
    // images first: an attestation manifest follows its image when the push rewrites it
    java.util.Map<Digest, Digest> moved = new java.util.HashMap<>();
    java.util.Map<Descriptor, RawManifest> pushed = new java.util.HashMap<>();
    for (Descriptor child : index.manifests()) {
      if (!ImageStore.isAttestation(child) && !MediaTypes.isIndex(child.mediaType())) {
        RawManifest m = pushManifest(target, child, options);
        pushed.put(child, m);
        moved.put(child.digest(), m.digest());
      }
    }
    for (Descriptor listed : index.manifests()) {
      Descriptor child =
          ImageStore.isAttestation(listed)
              ? AttestationSubjects.follow(store, listed, moved)
              : listed;
      RawManifest m =
          pushed.containsKey(child)
              ? pushed.get(child)
              : MediaTypes.isIndex(child.mediaType())
                  ? pushIndex(target, child, depth + 1, options)
                  : pushManifest(target, child, options);
      target.registry().putManifest(target.repository(), m.digest().toString(), m);
      changed |= !m.digest().equals(listed.digest());
      children.add(
          Descriptor.of(m.mediaType(), m.digest(), m.size())
              .withPlatform(child.platform())
              .withAnnotations(child.annotations()));
    }
    if (!changed) {
      return RawManifest.of(index.effectiveMediaType(), store.blobs().read(image.digest()));
    }
    ImageIndex out = index.withManifests(children);
    return RawManifest.of(out.effectiveMediaType(), out.toBytes());
  }

  private RawManifest pushManifest(
      Registries.Source target, Descriptor manifestDescriptor, PushOptions options)
      throws IOException {
    ImageManifest stored = store.images().manifest(manifestDescriptor.digest());
    // one schema throughout: a manifest built over a Docker-schema base may list Docker layer
    // types; what is pushed uses the manifest's family for config and every layer
    ImageManifest manifest = stored.isDocker() ? stored.toDocker() : stored.toOci();
    if (stored.mediaType() == null) {
      manifest =
          new ImageManifest(
              manifest.schemaVersion(),
              null,
              manifest.artifactType(),
              manifest.config(),
              manifest.layers(),
              manifest.subject(),
              manifest.annotations(),
              manifest.extra());
    }
    Set<String> mountFrom = new LinkedHashSet<>(options.mountFrom());
    mountCandidates(target, manifestDescriptor, manifest).forEach(mountFrom::add);
    List<Descriptor> layers = pushLayers(target, manifest, options, List.copyOf(mountFrom));
    Descriptor config = manifest.config();
    uploadKnown(target, config, List.copyOf(mountFrom), false);
    boolean unchanged = layers.equals(stored.layers()) && manifest.config().equals(stored.config());
    if (unchanged && store.blobs().has(manifestDescriptor.digest())) {
      // nothing to rewrite: push the stored bytes, keeping the digest
      byte[] bytes = store.blobs().read(manifestDescriptor.digest());
      return RawManifest.of(manifest.effectiveMediaType(), bytes);
    }
    ImageManifest out = manifest.withLayers(layers);
    return RawManifest.of(out.effectiveMediaType(), out.toBytes());
  }

  /**
   * Repositories of the destination host that may already hold the layers: the base image named by
   * the manifest's {@code org.opencontainers.image.base.name}, and other names of this image in the
   * store.
   */
  private List<String> mountCandidates(
      Registries.Source target, Descriptor manifestDescriptor, ImageManifest manifest)
      throws IOException {
    var out = new ArrayList<String>();
    String host = target.registry().host();
    List<String> names = new ArrayList<>(store.images().tagsOf(manifestDescriptor.digest()));
    if (manifest.annotations() != null
        && manifest.annotations().get("org.opencontainers.image.base.name") != null) {
      names.add(manifest.annotations().get("org.opencontainers.image.base.name"));
    }
    for (String name : names) {
      sameHostRepository(name, host)
          .filter(r -> !r.equals(target.repository()))
          .ifPresent(out::add);
    }
    learnFromStore(target);
    return out;
  }

  /**
   * Remembers, for every image tagged in the store under a name of the destination host (a pulled
   * base image, an earlier push), which repository holds its blobs: those are the mounts to try for
   * a built image whose lower layers came from it.
   */
  private void learnFromStore(Registries.Source target) throws IOException {
    String host = target.registry().host();
    for (Descriptor tagged : store.images().tagged()) {
      Optional<String> repo = sameHostRepository(tagged.refName(), host);
      if (repo.isEmpty()
          || repo.get().equals(target.repository())
          || !store.blobs().has(tagged.digest())) {
        continue;
      }
      String where = host + "/" + repo.get();
      try {
        List<ImageManifest> manifests = new ArrayList<>();
        if (MediaTypes.isManifest(tagged.mediaType())) {
          manifests.add(store.images().manifest(tagged.digest()));
        } else if (MediaTypes.isIndex(tagged.mediaType())) {
          // every platform's image of a tagged index (pulled, or pushed there before)
          store
              .images()
              .images(tagged.withAnnotations(null))
              .forEach(i -> manifests.add(i.manifest()));
        }
        for (ImageManifest m : manifests) {
          seen.computeIfAbsent(m.config().digest(), k -> ConcurrentHashMap.newKeySet()).add(where);
          for (Descriptor l : m.layers()) {
            seen.computeIfAbsent(l.digest(), k -> ConcurrentHashMap.newKeySet()).add(where);
          }
        }
      } catch (IOException | IllegalArgumentException e) {
        // not readable: no mount hints from it
      }
    }
  }

  private static Optional<String> sameHostRepository(String name, String host) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      ImageReference r = ImageReference.parse(name);
      return r.registry().equals(host) ? Optional.of(r.repository()) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private List<Descriptor> pushLayers(
      Registries.Source target, ImageManifest manifest, PushOptions options, List<String> mountFrom)
      throws IOException {
    return ParallelTransfers.run(
        manifest.layers(),
        options.parallelism(),
        layer -> pushLayer(target, layer, manifest.isDocker(), options, mountFrom));
  }

  private Descriptor pushLayer(
      Registries.Source target,
      Descriptor layer,
      boolean docker,
      PushOptions options,
      List<String> mountFrom)
      throws IOException {
    if (MediaTypes.isNonDistributable(layer.mediaType())) {
      return layer; // foreign layers are not pushed (Docker's behaviour)
    }
    if (!MediaTypes.isLayer(layer.mediaType())) {
      // an artifact's blob (an attestation's in-toto statement): pushed as it is
      uploadKnown(target, layer, mountFrom, true);
      return layer;
    }
    LayerCompression current = MediaTypes.layerCompression(layer.mediaType());
    if (current != LayerCompression.NONE || options.compression() == Compression.NONE) {
      uploadKnown(target, layer, mountFrom, true);
      return layer;
    }
    LayerCompression wanted =
        options.compression() == Compression.ZSTD ? LayerCompression.ZSTD : LayerCompression.GZIP;
    String mediaType = layerType(wanted, docker);
    Digest diffId = layer.digest();
    Optional<Descriptor> cached =
        store.layers().blobsFor(diffId).stream()
            .filter(
                d ->
                    MediaTypes.isLayer(d.mediaType())
                        && MediaTypes.layerCompression(d.mediaType()) == wanted)
            .findFirst();
    if (cached.isPresent()) {
      Descriptor blob = Descriptor.of(mediaType, cached.get().digest(), cached.get().size());
      uploadKnown(target, blob, mountFrom, true);
      return blob;
    }
    var result = new java.util.concurrent.atomic.AtomicReference<Descriptor>();
    Retry.run(
        progress,
        layer.digest().shortHex(),
        () -> result.set(compressAndUpload(target, layer, mediaType, options)));
    return result.get();
  }

  private static String layerType(LayerCompression c, boolean docker) {
    String oci = MediaTypes.ociLayer(c);
    return docker ? MediaTypes.toDocker(oci) : oci;
  }

  /** One pass: store blob -> compressor -> (registry upload, new store blob). */
  private Descriptor compressAndUpload(
      Registries.Source target, Descriptor layer, String mediaType, PushOptions options)
      throws IOException {
    String id = layer.digest().shortHex();
    progress.start(id, "Compressing", -1);
    BlobInfo info;
    try (BlobWriter copy = store.blobs().newWriter()) {
      Registry.DigestingBody body =
          new Registry.DigestingBody() {
            @Override
            public void writeTo(OutputStream network) throws IOException {
              OutputStream tee = new TeeOutputStream(network, copy);
              try (InputStream in = store.blobs().openVerified(layer.digest());
                  OutputStream z =
                      options
                          .compression()
                          .compress(tee, options.effectiveLevel(), options.threads())) {
                if (z instanceof ParallelGzipOutputStream gz) {
                  gz.transferFrom(in); // straight into its block buffers
                } else {
                  in.transferTo(z);
                }
              }
            }

            @Override
            public Digest digest() {
              return copy.digest();
            }
          };
      Registry.Uploaded up =
          target
              .registry()
              .putBlobStreaming(target.repository(), body, n -> progress.advance(id, n));
      info = copy.commit(up.digest());
    }
    Descriptor blob = Descriptor.of(mediaType, info.digest(), info.size());
    store.layers().register(layer.digest(), blob);
    remember(blob.digest(), target);
    progress.done(id, "Pushed");
    return blob;
  }

  /** HEAD, else mount, else upload. */
  private void uploadKnown(
      Registries.Source target, Descriptor blob, List<String> mountFrom, boolean show)
      throws IOException {
    String id = blob.digest().shortHex();
    Registry registry = target.registry();
    if (registry.blobSize(target.repository(), blob.digest()).isPresent()) {
      if (show) {
        progress.done(id, "Layer already exists");
      }
      remember(blob.digest(), target);
      return;
    }
    Set<String> candidates = new LinkedHashSet<>(mountFrom);
    for (String known : seen.getOrDefault(blob.digest(), Set.of())) {
      int slash = known.indexOf('/');
      if (known.substring(0, slash).equals(registry.host())) {
        candidates.add(known.substring(slash + 1));
      }
    }
    candidates.remove(target.repository());
    for (String from : candidates) {
      if (registry.mountBlob(target.repository(), blob.digest(), from)) {
        if (show) {
          progress.done(id, "Mounted from " + from);
        }
        remember(blob.digest(), target);
        return;
      }
    }
    if (!store.blobs().has(blob.digest())) {
      throw new IOException(
          "blob " + blob.digest() + " is not in the store: cannot push it to " + target.describe());
    }
    Retry.run(
        progress,
        id,
        () -> {
          if (show) {
            progress.start(id, "Pushing", blob.size());
          }
          registry.putBlob(
              target.repository(),
              blob.digest(),
              blob.size(),
              () -> store.blobs().openVerified(blob.digest()),
              n -> {
                if (show) {
                  progress.advance(id, n);
                }
              });
        });
    remember(blob.digest(), target);
    if (show) {
      progress.done(id, "Pushed");
    }
  }

  private void remember(Digest digest, Registries.Source target) {
    seen.computeIfAbsent(digest, k -> ConcurrentHashMap.newKeySet()).add(target.describe());
  }

  /** Writes to two streams; closing closes neither (their owners do). */
  private static final class TeeOutputStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeOutputStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }

    @Override
    public void close() {}
  }
}
