package dev.jbuild.layercache.store;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Blobs the store knows but does not hold yet: lazy blobs, fetched when something needs their bytes
 * (BuildKit's lazy refs). A remote blob is a file {@code <root>/remote/<alg>-<hex>} holding its
 * descriptor and an opaque source (where the {@link BlobFetcher} finds it, e.g. a registry
 * repository); the store never interprets the source.
 *
 * <p>What may refer to a remote blob: cache records ({@link CacheRecords#get} counts a remote layer
 * as present) and layer registrations. What never does: an image in {@code index.json}, whose blobs
 * are all local ({@link #ensure} before the manifest is written). Fetching is deduplicated
 * (concurrent callers of one blob wait for one download), runs at most {@link #PARALLEL} downloads
 * at a time, and commits each blob only under its verified digest, so a crash leaves staging debris
 * and never a partial blob. Prune keeps the entries live cache records use and removes the rest.
 */
public final class RemoteBlobs {
  /** Downloads at a time. */
  static final int PARALLEL = 4;

  /** Fetches a remote blob's bytes into a store writer (the store commits and verifies). */
  public interface BlobFetcher {
    /** Writes the blob {@code blob} from {@code source} into {@code into}. */
    void fetch(Descriptor blob, String source, BlobWriter into) throws IOException;
  }

  /** A remote blob: its descriptor and where to get it. */
  public record Remote(Descriptor blob, String source) {
    public Remote {
      Objects.requireNonNull(blob, "blob");
      Objects.requireNonNull(source, "source");
    }
  }

  private final Path dir;
  private final BlobStore blobs;
  private final TempSpace temp;
  private final Semaphore permits = new Semaphore(PARALLEL);
  private final ConcurrentHashMap<Digest, CompletableFuture<Void>> inFlight =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Digest, Remote> known = new ConcurrentHashMap<>();
  private volatile BlobFetcher fetcher;

  RemoteBlobs(Path dir, BlobStore blobs, TempSpace temp) {
    this.dir = dir;
    this.blobs = blobs;
    this.temp = temp;
  }

  /** Sets what fetches remote blobs in this process (the registry client). */
  public void fetcher(BlobFetcher f) {
    this.fetcher = f;
  }

  /** Records that {@code blob} can be fetched from {@code source} (nothing when it is local). */
  public void record(Descriptor blob, String source) throws IOException {
    if (blobs.has(blob.digest())) {
      return;
    }
    Remote r = new Remote(blob.withAnnotations(null).withPlatform(null), source);
    Remote before = known.get(blob.digest());
    if (r.equals(before)) {
      return;
    }
    StorePermissions.createPrivateDirectories(dir);
    byte[] bytes =
        JsonObject.builder().put("blob", r.blob().toJson()).put("source", source).build().toBytes();
    AtomicFiles.write(file(blob.digest()), bytes, temp.dir());
    known.put(blob.digest(), r);
  }

  /** The remote entry of {@code digest}, if there is one. */
  public Optional<Remote> get(Digest digest) throws IOException {
    Remote r = known.get(digest);
    if (r != null) {
      return Optional.of(r);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file(digest));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      JsonObject o = Json.parseObject(bytes);
      Descriptor d = Descriptor.fromJson(o.object("blob"));
      String source = o.string("source");
      if (!d.digest().equals(digest) || source == null) {
        return Optional.empty();
      }
      r = new Remote(d, source);
    } catch (RuntimeException e) {
      return Optional.empty(); // unreadable: prune removes it
    }
    known.put(digest, r);
    return Optional.of(r);
  }

  /** True when the blob is in the store or can be fetched. */
  public boolean available(Digest digest) throws IOException {
    return blobs.has(digest) || get(digest).isPresent();
  }

  /**
   * Makes every blob of {@code wanted} local: those the store lacks are fetched from their remote
   * entries, in parallel (at most {@link #PARALLEL} at a time), each once even when several threads
   * ask. Throws {@link NoSuchFileException} naming a blob that is neither local nor remote.
   */
  public void ensure(Collection<Descriptor> wanted) throws IOException {
    Map<Digest, CompletableFuture<Void>> waits = new LinkedHashMap<>();
    for (Descriptor d : wanted) {
      if (blobs.has(d.digest()) || waits.containsKey(d.digest())) {
        continue;
      }
      Remote r =
          get(d.digest())
              .orElseThrow(
                  () ->
                      new NoSuchFileException(
                          "blob " + d.digest() + " is not in the store and has no remote source"));
      waits.put(d.digest(), start(r));
    }
    IOException failure = null;
    for (var e : waits.entrySet()) {
      try {
        e.getValue().get();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while fetching " + e.getKey());
      } catch (ExecutionException ee) {
        if (failure == null) {
          Throwable c = ee.getCause();
          failure =
              c instanceof IOException io
                  ? io
                  : new IOException("cannot fetch " + e.getKey() + ": " + c, c);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Starts fetching the remote blobs of {@code wanted} without waiting (what will surely be needed,
   * such as the layers of the image being built); a failure is left for {@link #ensure} to report
   * (it fetches again).
   */
  public void prefetch(Collection<Descriptor> wanted) throws IOException {
    for (Descriptor d : wanted) {
      if (fetcher != null && !blobs.has(d.digest())) {
        Optional<Remote> r = get(d.digest());
        if (r.isPresent()) {
          start(r.get());
        }
      }
    }
  }

  /** One download of {@code r}, shared by everyone who asks while it runs. */
  private CompletableFuture<Void> start(Remote r) {
    Digest digest = r.blob().digest();
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = inFlight.putIfAbsent(digest, mine);
    if (running != null) {
      return running;
    }
    Thread.ofVirtual()
        .name("fetch-" + digest.shortHex())
        .start(
            () -> {
              Throwable failed = null;
              try {
                permits.acquire();
                try {
                  download(r);
                } finally {
                  permits.release();
                }
              } catch (Throwable t) {
                failed = t;
              }
              // out of the map before anyone hears: a caller retrying after a failure starts anew
              inFlight.remove(digest, mine);
              if (failed == null) {
                mine.complete(null);
              } else {
                mine.completeExceptionally(failed);
              }
            });
    return mine;
  }

  private void download(Remote r) throws IOException {
    if (blobs.has(r.blob().digest())) {
      return;
    }
    BlobFetcher f = fetcher;
    if (f == null) {
      throw new IOException(
          "blob "
              + r.blob().digest()
              + " is not in the store yet (it comes from "
              + r.source()
              + ") and this command does not fetch blobs");
    }
    try (BlobWriter w = blobs.newWriter()) {
      f.fetch(r.blob(), r.source(), w);
      BlobInfo info = w.commit(r.blob().digest());
      if (r.blob().size() >= 0 && info.size() != r.blob().size()) {
        throw new IOException(
            "blob "
                + r.blob().digest()
                + " from "
                + r.source()
                + " has "
                + info.size()
                + " bytes, not "
                + r.blob().size());
      }
    }
  }

  /** Digests of every remote entry (for garbage collection). */
  List<Digest> list() throws IOException {
    List<Digest> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        int dash = name.indexOf('-');
        String text = dash < 0 ? "" : name.substring(0, dash) + ":" + name.substring(dash + 1);
        if (Digest.isValid(text)) {
          out.add(Digest.parse(text));
        }
      }
    }
    return out;
  }

  /** Forgets a remote entry; true when it existed. */
  boolean remove(Digest digest) throws IOException {
    known.remove(digest);
    return Files.deleteIfExists(file(digest));
  }

  /** Files of {@code remote/} that are no entry (debris for prune). */
  List<Path> strayFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Digest> valid = list();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        boolean ok = false;
        for (Digest d : valid) {
          if (file(d).equals(p)) {
            ok = true;
            break;
          }
        }
        if (!ok) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private Path file(Digest digest) {
    return dir.resolve(digest.algorithm() + "-" + digest.hex());
  }
}
