package dev.jbuild.builder.copy;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.NativeSha256;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a COPY/ADD layer into the store, reusing the unchanged beginning of the layer the same
 * step wrote last time. Layers are written in a fixed order, so when a change is late in that order
 * the first entries are byte for byte the previous layer's: every {@link #interval()} bytes (32
 * MiB) the writer records a checkpoint (entry count, offset, SHA-256 state, and a digest of the
 * entries' identities: names, metadata and content hashes). A rebuild first walks its entries
 * (metadata and memoised content hashes only) to find the last checkpoint whose identity digest
 * still matches, copies the previous blob up to it in the kernel, restores the hash there, and
 * writes only the rest: a changed file near the end of a 900 MB context costs what is after it.
 */
public final class CopyWriter {
  /** Bytes between checkpoints (system property {@code jbuild.copy.checkpointBytes}). */
  static long interval() {
    return Long.getLong("jbuild.copy.checkpointBytes", 32L << 20);
  }

  private CopyWriter() {}

  /**
   * A place in a layer to resume from.
   *
   * @param count entries before it
   * @param lastName the name of the last of those entries
   * @param offset the tar bytes before it
   * @param hashState the SHA-256 state over those bytes
   * @param identity a digest of those entries' names, metadata and content hashes
   */
  public record Checkpoint(
      int count, String lastName, long offset, byte[] hashState, byte[] identity) {}

  /**
   * The previous layer of the step: its uncompressed blob, checkpoints, and the time stamped on the
   * directories it created (reused, so that those entries, and what follows, stay the same).
   */
  public record Previous(Path blob, List<Checkpoint> checkpoints, Instant stamp) {}

  /** A layer's checkpoints and the stamp of the directories it created. */
  public record Saved(List<Checkpoint> checkpoints, Instant stamp) {}

  /** The new layer, its checkpoints, and how many bytes came from the previous one. */
  public record Result(CacheRecord.Layer layer, List<Checkpoint> checkpoints, long reused) {}

  public static Result write(
      Store store,
      Instant epoch,
      RootfsView rootfs,
      List<CopyItem> items,
      String dest,
      CopyLayer.Attributes attrs,
      TreeBuilder tree,
      BuildContext context,
      Previous previous)
      throws IOException {
    try {
      Checkpoint from =
          previous == null || !NativeSha256.available()
              ? null
              : lastMatch(previous, CopyLayer.stream(rootfs, items, dest, attrs), context, epoch);
      LayerWriterOptions opts =
          LayerWriterOptions.defaults()
              .withCompression(Compression.NONE)
              .withSourceDateEpoch(epoch);
      List<Checkpoint> checkpoints = new ArrayList<>();
      try (BlobWriter blob = store.blobs().newWriter()) {
        int skip = 0;
        LayerWriter w;
        dev.jbuild.builder.progress.Trace.mark("  unchanged prefix found");
        if (from != null && blob.startFrom(previous.blob(), from.offset(), from.hashState())) {
          dev.jbuild.builder.progress.Trace.mark("  prefix copied");
          w = LayerWriter.resume(blob, opts, from.lastName());
          skip = from.count();
          for (Checkpoint c : previous.checkpoints()) {
            if (c.count() <= skip) {
              checkpoints.add(c);
            }
          }
        } else {
          from = null;
          w = LayerWriter.open(blob, opts);
        }
        try (w) {
          MessageDigest identity = Digest.newSha256();
          boolean known = true;
          long last = from == null ? 0 : from.offset();
          long interval = interval();
          int count = 0;
          Iterator<CopyLayer.Sourced> it = CopyLayer.stream(rootfs, items, dest, attrs);
          while (it.hasNext()) {
            CopyLayer.Sourced s = it.next();
            if (count >= skip) {
              CopyLayer.add(w, s);
            }
            if (tree != null) {
              tree.add(s);
            }
            known = known && feed(identity, s, context, epoch);
            count++;
            if (count > skip && known && w.offset() - last >= interval) {
              var c = w.checkpoint();
              if (c.isPresent()) {
                checkpoints.add(
                    new Checkpoint(
                        count,
                        s.entry().name(),
                        c.get().offset(),
                        c.get().hashState(),
                        peek(identity)));
                last = c.get().offset();
              }
            }
          }
          if (tree != null) {
            tree.finish();
          }
          LayerDigests digests = w.finish();
          dev.jbuild.builder.progress.Trace.mark("  layer written");
          BlobInfo info = blob.commit(digests.blobDigest());
          dev.jbuild.builder.progress.Trace.mark("  blob committed");
          Descriptor desc = info.toDescriptor(MediaTypes.OCI_LAYER);
          store.layers().register(digests.diffId(), desc);
          return new Result(
              new CacheRecord.Layer(desc, digests.diffId()),
              checkpoints,
              from == null ? 0 : from.offset());
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The last checkpoint of {@code previous} whose entries are all still the same, or null. */
  private static Checkpoint lastMatch(
      Previous previous, Iterator<CopyLayer.Sourced> entries, BuildContext context, Instant epoch) {
    Map<Integer, Checkpoint> byCount = new HashMap<>();
    int max = 0;
    for (Checkpoint c : previous.checkpoints()) {
      byCount.put(c.count(), c);
      max = Math.max(max, c.count());
    }
    MessageDigest identity = Digest.newSha256();
    Checkpoint best = null;
    for (int count = 0; count <= max; count++) {
      Checkpoint c = byCount.get(count);
      if (c != null) {
        if (!Arrays.equals(peek(identity), c.identity())) {
          break;
        }
        best = c;
      }
      if (!entries.hasNext() || !feed(identity, entries.next(), context, epoch)) {
        break;
      }
    }
    return best;
  }

  private static byte[] peek(MessageDigest md) {
    try {
      return ((MessageDigest) md.clone()).digest();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Adds what decides an entry's tar bytes to {@code identity}: its header fields and, for a file,
   * its content hash. False when that hash is not known cheaply (files of other trees): later
   * checkpoints would not be trustworthy.
   */
  private static boolean feed(
      MessageDigest identity, CopyLayer.Sourced s, BuildContext context, Instant epoch) {
    TarEntry e = s.entry();
    StringBuilder b = new StringBuilder(128);
    Instant m = epoch != null && e.mtime().isAfter(epoch) ? epoch : e.mtime();
    b.append(e.name())
        .append('\0')
        .append(e.type())
        .append('\0')
        .append(e.mode())
        .append('\0')
        .append(e.uid())
        .append('\0')
        .append(e.gid())
        .append('\0')
        .append(e.size())
        .append('\0')
        .append(m.getEpochSecond())
        .append('\0')
        .append(e.linkName())
        .append('\0')
        .append(e.devMajor())
        .append('\0')
        .append(e.devMinor())
        .append('\0');
    identity.update(b.toString().getBytes(StandardCharsets.UTF_8));
    for (var x : e.xattrs().entrySet()) {
      identity.update(x.getKey().getBytes(StandardCharsets.UTF_8));
      identity.update((byte) 0);
      identity.update(x.getValue());
      identity.update((byte) 0);
    }
    if (e.type() != dev.jbuild.layercache.tar.EntryType.FILE || e.size() == 0) {
      return true;
    }
    if (s.content() != null) {
      identity.update(Digest.sha256(s.content()).hex().getBytes(StandardCharsets.US_ASCII));
      return true;
    }
    if (context != null && s.tree() == context && s.file() != null) {
      try {
        identity.update(context.contentHash(s.file()).hex().getBytes(StandardCharsets.US_ASCII));
        return true;
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return false;
  }

  /** Checkpoint files: {@code <root>/builder/trees/<diffId>.ckpt}. */
  public static Path checkpointsPath(Store store, Digest diffId) {
    return TreeIndexes.path(store, diffId).resolveSibling(diffId.hex() + ".ckpt");
  }

  private static final int MAGIC = 0x4a424332; // "JBC2"

  public static void saveCheckpoints(Path file, List<Checkpoint> checkpoints, Instant stamp)
      throws IOException {
    dev.jbuild.layercache.store.StorePermissions.createPrivateDirectories(file.getParent());
    // fsynced: a hash state read back wrong would commit a blob under another digest
    dev.jbuild.layercache.store.AtomicFiles.write(
        file,
        raw -> {
          DataOutputStream out = new DataOutputStream(raw);
          writeCheckpoints(out, checkpoints, stamp);
          out.flush();
        });
  }

  private static void writeCheckpoints(
      DataOutputStream out, List<Checkpoint> checkpoints, Instant stamp) throws IOException {
    {
      out.writeInt(MAGIC);
      out.writeLong(stamp.getEpochSecond());
      out.writeInt(stamp.getNano());
      out.writeInt(checkpoints.size());
      for (Checkpoint c : checkpoints) {
        out.writeInt(c.count());
        out.writeUTF(c.lastName());
        out.writeLong(c.offset());
        out.writeInt(c.hashState().length);
        out.write(c.hashState());
        out.writeInt(c.identity().length);
        out.write(c.identity());
      }
    }
  }

  /** The checkpoints in {@code file}; null when missing or unreadable. */
  public static Saved loadCheckpoints(Path file) {
    List<Checkpoint> out = new ArrayList<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != MAGIC) {
        return null;
      }
      Instant stamp = Instant.ofEpochSecond(in.readLong(), in.readInt());
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        int count = in.readInt();
        String name = in.readUTF();
        long offset = in.readLong();
        byte[] state = new byte[in.readInt()];
        in.readFully(state);
        byte[] id = new byte[in.readInt()];
        in.readFully(id);
        out.add(new Checkpoint(count, name, offset, state, id));
      }
      return new Saved(List.copyOf(out), stamp);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
