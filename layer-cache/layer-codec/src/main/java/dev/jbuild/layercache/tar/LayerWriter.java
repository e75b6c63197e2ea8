package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.compress.ParallelGzipOutputStream;
import dev.jbuild.layercache.io.HashingOutputStream;
import dev.jbuild.layercache.io.NonClosingOutputStream;
import dev.jbuild.layercache.tar.format.TarHeaderEncoder;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes a layer tar deterministically and computes its digests in the same pass.
 *
 * <pre>{@code
 * try (LayerWriter w = LayerWriter.open(blobWriter, LayerWriterOptions.defaults())) {
 *   w.add(TarEntry.directory("app"));
 *   w.addFile(TarEntry.file("app/run.sh", size).withMode(0755), source);
 *   LayerDigests d = w.finish();
 * }
 * }</pre>
 *
 * <p>Entries must come in canonical order ({@link TarNames#ORDER}); anything else is rejected, so
 * the same tree always gives the same bytes. Headers are encoded by {@link TarHeaderEncoder}
 * (numeric owners, empty owner names, PAX when needed); mtimes are written in whole seconds and
 * clamped to {@link LayerWriterOptions#sourceDateEpoch()} when set; the archive ends with two zero
 * blocks and no padding (as Go's archive/tar, hence Docker and BuildKit).
 *
 * <p>Bytes pass through one 256 KiB buffer: file data is read straight into it and handed to the
 * hash and the sink in large writes. When the sink is a fresh {@link HashingOutputStream} (the
 * store's blob writer), its hash is reused: the diffId of an uncompressed layer, the blob digest of
 * a compressed one, so nothing is hashed twice. {@link #finish()} flushes but never closes the
 * sink; the caller commits or closes it.
 */
public final class LayerWriter implements Closeable {
  static final int BUFFER = 256 * 1024;
  private static final byte[] ZERO_BLOCK = new byte[TarHeaderEncoder.BLOCK];

  private final LayerWriterOptions options;
  private final OutputStream sink;
  private final HashingOutputStream tarHash;
  private final HashingOutputStream blobHash;
  private final OutputStream compressor;
  private final byte[] buf = new byte[BUFFER];
  private int pos;
  private String previous;
  private boolean finished;
  private LayerDigests result;

  private LayerWriter(OutputStream sink, LayerWriterOptions options) throws IOException {
    this(sink, options, sink instanceof HashingOutputStream h && h.size() == 0 ? h : null);
  }

  private LayerWriter(OutputStream sink, LayerWriterOptions options, HashingOutputStream fresh)
      throws IOException {
    this.options = Objects.requireNonNull(options, "options");
    this.sink = Objects.requireNonNull(sink, "sink");
    if (options.compression() == Compression.NONE) {
      this.compressor = null;
      this.tarHash =
          fresh != null ? fresh : new HashingOutputStream(new NonClosingOutputStream(sink));
      this.blobHash = tarHash;
    } else {
      this.blobHash =
          fresh != null ? fresh : new HashingOutputStream(new NonClosingOutputStream(sink));
      this.compressor =
          options
              .compression()
              .compress(new NonClosingOutputStream(blobHash), options.level(), options.threads());
      this.tarHash = new HashingOutputStream(compressor);
    }
  }

  /** Starts a layer written to {@code sink}. */
  public static LayerWriter open(OutputStream sink, LayerWriterOptions options) throws IOException {
    return new LayerWriter(sink, options);
  }

  /**
   * Continues an uncompressed layer whose first entries are already in {@code sink} (which hashes
   * and counts them: see {@code BlobWriter.startFrom}); the next entry must sort after {@code
   * previousName}, the last entry of that prefix.
   */
  public static LayerWriter resume(
      HashingOutputStream sink, LayerWriterOptions options, String previousName)
      throws IOException {
    if (options.compression() != Compression.NONE) {
      throw new IllegalArgumentException("only uncompressed layers can be resumed");
    }
    LayerWriter w = new LayerWriter(sink, options, sink);
    w.previous = previousName;
    return w;
  }

  /** Bytes of uncompressed tar produced so far (including what is still buffered). */
  public long offset() {
    return tarHash.size() + pos;
  }

  /** Where the layer stands between two entries: its byte offset and hash state. */
  public record Checkpoint(long offset, byte[] hashState) {}

  /**
   * Writes out what is buffered and returns the offset and SHA-256 state after the last entry
   * added, for {@link #resume}; empty for compressed layers or when the state cannot be saved.
   */
  public java.util.Optional<Checkpoint> checkpoint() throws IOException {
    if (compressor != null || finished) {
      return java.util.Optional.empty();
    }
    drain();
    return tarHash.saveState().map(s -> new Checkpoint(tarHash.size(), s));
  }

  public LayerWriterOptions options() {
    return options;
  }

  /** Adds an entry without content (anything but a non-empty FILE). */
  public void add(TarEntry entry) throws IOException {
    if (entry.type() == EntryType.FILE && entry.size() != 0) {
      throw new IllegalArgumentException(
          TarErrors.contentTooShort(entry.name(), entry.size(), 0) + " (no content given)");
    }
    header(entry);
  }

  /**
   * Adds an entry whose content (exactly {@code entry.size()} bytes) is read from {@code content};
   * {@code content} is not closed.
   */
  public void add(TarEntry entry, InputStream content) throws IOException {
    header(entry);
    long remaining = entry.size();
    while (remaining > 0) {
      if (pos == BUFFER) {
        drain();
      }
      int n = content.read(buf, pos, (int) Math.min(BUFFER - pos, remaining));
      if (n < 0) {
        throw new IOException(
            TarErrors.contentTooShort(entry.name(), entry.size(), entry.size() - remaining));
      }
      pos += n;
      remaining -= n;
    }
    if (entry.size() > 0 && content.read() >= 0) {
      throw new IOException(TarErrors.contentTooLong(entry.name(), entry.size()));
    }
    pad(entry.size());
  }

  /**
   * Adds a FILE entry whose content is the file {@code source} (not followed if a symlink); the
   * file must still be {@code entry.size()} bytes long.
   */
  public void addFile(TarEntry entry, Path source) throws IOException {
    if (entry.type() != EntryType.FILE) {
      throw new IllegalArgumentException("addFile needs a FILE entry: " + entry);
    }
    try (FileChannel ch =
        FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      header(entry);
      long remaining = entry.size();
      ByteBuffer bb = ByteBuffer.wrap(buf);
      while (remaining > 0) {
        if (pos == BUFFER) {
          drain();
        }
        bb.limit((int) Math.min(BUFFER, pos + remaining)).position(pos);
        int n = ch.read(bb);
        if (n < 0) {
          throw new IOException(
              TarErrors.contentTooShort(entry.name(), entry.size(), entry.size() - remaining)
                  + " (file "
                  + source
                  + " shrank while it was read)");
        }
        pos += n;
        remaining -= n;
      }
      if (entry.size() > 0 && ch.read(ByteBuffer.allocate(1)) > 0) {
        throw new IOException(
            TarErrors.contentTooLong(entry.name(), entry.size())
                + " (file "
                + source
                + " grew while it was read)");
      }
    }
    pad(entry.size());
  }

  private void header(TarEntry entry) throws IOException {
    if (finished) {
      throw new IllegalStateException(TarErrors.writerFinished());
    }
    if (previous != null && TarNames.compare(previous, entry.name()) >= 0) {
      throw new IllegalArgumentException(TarErrors.outOfOrder(entry.name(), previous));
    }
    previous = entry.name();
    Instant mtime = entry.mtime();
    Instant epoch = options.sourceDateEpoch();
    if (epoch != null && mtime.isAfter(epoch)) {
      mtime = epoch;
    }
    put(TarHeaderEncoder.encode(entry, mtime.getEpochSecond()));
  }

  private void pad(long size) throws IOException {
    int rem = (int) (size % TarHeaderEncoder.BLOCK);
    if (rem != 0) {
      put(ZERO_BLOCK, TarHeaderEncoder.BLOCK - rem);
    }
  }

  private void put(byte[] bytes) throws IOException {
    put(bytes, bytes.length);
  }

  private void put(byte[] bytes, int len) throws IOException {
    int off = 0;
    while (off < len) {
      if (pos == BUFFER) {
        drain();
      }
      int n = Math.min(len - off, BUFFER - pos);
      System.arraycopy(bytes, off, buf, pos, n);
      pos += n;
      off += n;
    }
  }

  private void drain() throws IOException {
    if (pos > 0) {
      tarHash.write(buf, 0, pos);
      pos = 0;
    }
  }

  /** Writes the end of the archive, finishes compression and returns the digests. */
  public LayerDigests finish() throws IOException {
    if (finished) {
      if (result == null) {
        throw new IllegalStateException(TarErrors.writerFinished());
      }
      return result;
    }
    finished = true;
    put(ZERO_BLOCK);
    put(ZERO_BLOCK);
    drain();
    if (compressor != null) {
      compressor.close();
    }
    blobHash.flush();
    result = new LayerDigests(tarHash.digest(), tarHash.size(), blobHash.digest(), blobHash.size());
    return result;
  }

  /** Releases compression threads; a writer closed before {@link #finish()} is abandoned. */
  @Override
  public void close() {
    if (result == null) {
      finished = true;
      if (compressor instanceof ParallelGzipOutputStream gz) {
        gz.abort();
      } else if (compressor != null) {
        try {
          compressor.close();
        } catch (IOException ignored) {
          // abandoned: the sink's content is garbage the caller discards
        }
      }
    }
  }
}
