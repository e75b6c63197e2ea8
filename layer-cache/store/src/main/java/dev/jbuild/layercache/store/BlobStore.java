package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Content-addressed blobs under {@code blobs/<alg>/<hex>}. Blob files are read-only and only appear
 * (by atomic rename) once their content is verified, so a reader never sees a partial blob.
 */
public final class BlobStore {
  /** {@link #read(Digest)} refuses blobs larger than this (it is for manifests and configs). */
  public static final long MAX_READ = 32L * 1024 * 1024;

  private final Path blobsDir;
  private final TempSpace temp;

  BlobStore(Path blobsDir, TempSpace temp) {
    this.blobsDir = blobsDir;
    this.temp = temp;
  }

  /** The file of a blob (it may not exist: check {@link #has}). Do not write to it. */
  public Path path(Digest digest) {
    return blobsDir.resolve(digest.algorithm()).resolve(digest.hex());
  }

  public boolean has(Digest digest) {
    return Files.isRegularFile(path(digest));
  }

  public long size(Digest digest) throws IOException {
    try {
      return Files.size(path(digest));
    } catch (NoSuchFileException e) {
      throw missing(digest);
    }
  }

  public InputStream open(Digest digest) throws IOException {
    try {
      return Files.newInputStream(path(digest));
    } catch (NoSuchFileException e) {
      throw missing(digest);
    }
  }

  /**
   * Opens a blob for reading once to its end, verified while it streams: reaching the end of a blob
   * whose bytes do not hash to its digest throws {@link DigestMismatchException} naming the blob
   * and what to do ({@link #corrupt}). What leaves the store (push, save, export) or is unpacked is
   * read this way.
   */
  public InputStream openVerified(Digest digest) throws IOException {
    return new VerifyingInputStream(open(digest), digest, this);
  }

  /**
   * The error for a stored blob whose content does not match its digest: it names the blob and the
   * way out (pull the image again, which re-fetches what does not verify, or remove and rebuild).
   */
  public DigestMismatchException corrupt(Digest digest, Digest actual) {
    return new DigestMismatchException(
        "blob "
            + digest
            + " in the store is corrupt (its content hashes to "
            + actual
            + ", file "
            + path(digest)
            + "): run 'jbuild pull' of the image again to repair it, or 'jbuild rmi' the image and"
            + " build it again",
        digest,
        actual,
        true);
  }

  /**
   * Re-hashes a stored blob and deletes it when its content no longer matches its digest (so it can
   * be fetched again); true when it was corrupt. A missing blob is not corrupt.
   */
  public boolean removeIfCorrupt(Digest digest) throws IOException {
    if (!has(digest)) {
      return false;
    }
    if (hash(path(digest), digest).equals(digest)) {
      return false;
    }
    delete(digest);
    return true;
  }

  /** Reads a small blob (manifest, config) and verifies its digest. */
  public byte[] read(Digest digest) throws IOException {
    long size = size(digest);
    if (size > MAX_READ) {
      throw new IOException(
          "blob " + digest + " is " + size + " bytes, too large to read into memory");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path(digest));
    } catch (NoSuchFileException e) {
      throw missing(digest);
    }
    MessageDigest md = digest.newMessageDigest();
    Digest actual = Digest.of(digest.algorithm(), md.digest(bytes));
    if (!actual.equals(digest)) {
      throw corrupt(digest, actual);
    }
    return bytes;
  }

  /** Stores bytes (a manifest, a config) and returns digest and size. */
  public BlobInfo put(byte[] data) throws IOException {
    Digest d = Digest.sha256(data);
    if (has(d)) {
      return new BlobInfo(d, data.length);
    }
    try (BlobWriter w = newWriter()) {
      w.write(data);
      return w.commit(d);
    }
  }

  /** Stores a stream, verified against {@code expected} when not null. */
  public BlobInfo put(InputStream in, Digest expected) throws IOException {
    try (BlobWriter w = newWriter()) {
      w.writeFrom(in);
      return w.commit(expected);
    }
  }

  /** A writer for a new blob (sha256). */
  public BlobWriter newWriter() throws IOException {
    return BlobWriter.create(this, temp.newFile("blob-"));
  }

  /** Re-hashes a stored blob and throws {@link DigestMismatchException} when it changed. */
  public void verify(Digest digest) throws IOException {
    Digest actual = hash(path(digest), digest);
    if (!actual.equals(digest)) {
      throw corrupt(digest, actual);
    }
  }

  /** All stored blobs. */
  public List<Digest> list() throws IOException {
    List<Digest> out = new ArrayList<>();
    if (!Files.isDirectory(blobsDir)) {
      return out;
    }
    try (DirectoryStream<Path> algs = Files.newDirectoryStream(blobsDir)) {
      for (Path alg : algs) {
        if (!Files.isDirectory(alg)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(alg)) {
          for (Path f : files) {
            String text = alg.getFileName() + ":" + f.getFileName();
            if (Digest.isValid(text)) {
              out.add(Digest.parse(text));
            }
          }
        }
      }
    }
    return out;
  }

  /** Removes a blob (garbage collection only). */
  boolean delete(Digest digest) throws IOException {
    return Files.deleteIfExists(path(digest));
  }

  /** Renames a verified temp file into place (a no-op when the blob exists already). */
  void install(Path tmp, Digest digest) throws IOException {
    Path target = path(digest);
    if (Files.exists(target)) {
      return;
    }
    StorePermissions.createPrivateDirectories(target.getParent());
    AtomicFiles.moveIfAbsent(tmp, target);
  }

  static Digest hash(Path file, Digest like) throws IOException {
    MessageDigest md = like.newMessageDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[256 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return new Digest(like.algorithm(), HexFormat.of().formatHex(md.digest()));
  }

  private static NoSuchFileException missing(Digest digest) {
    return new NoSuchFileException("blob " + digest + " is not in the store");
  }
}
