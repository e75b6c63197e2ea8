package dev.jbuild.bench.codec;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.io.HashingOutputStream;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.LayerApplier;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;

/**
 * The jbuild side of bench/codec.sh: times one codec operation on the generated data set and prints
 * {@code MODE SECONDS BYTES DIGEST} (best of the repetitions, after one warm-up run that lets the
 * JIT compile the hot loops).
 *
 * <p>Modes: {@code tar|gzip|zstd DATA_DIR THREADS} (walk + layer writer + hashes, output
 * discarded), {@code sha256 TAR_FILE}, {@code apply TAR_FILE TARGET_DIR}.
 */
public final class CodecBench {
  private CodecBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path input = Path.of(args[1]);
    int reps = Integer.parseInt(System.getProperty("reps", "2"));
    double best = Double.MAX_VALUE;
    String result = "";
    for (int i = 0; i <= reps; i++) {
      long t0 = System.nanoTime();
      String r =
          switch (mode) {
            case "tar" -> layer(input, Compression.NONE, Integer.parseInt(args[2]));
            case "gzip" -> layer(input, Compression.GZIP, Integer.parseInt(args[2]));
            case "zstd" -> layer(input, Compression.ZSTD, Integer.parseInt(args[2]));
            case "sha256" -> sha256(input);
            case "apply" -> apply(input, Path.of(args[2]));
            default -> throw new IllegalArgumentException("unknown mode " + mode);
          };
      double s = (System.nanoTime() - t0) / 1e9;
      if (mode.equals("apply")) {
        delete(Path.of(args[2]));
      }
      if (i > 0 && s < best) {
        best = s;
        result = r;
      }
    }
    System.out.printf("%s %.3f %s%n", mode, best, result);
  }

  private static String layer(Path dir, Compression c, int threads) throws IOException {
    HashingOutputStream sink = new HashingOutputStream(OutputStream.nullOutputStream());
    try (LayerWriter w = LayerWriter.open(sink, LayerWriterOptions.of(c).withThreads(threads))) {
      DirectoryWalker.writeTo(dir, DirectoryWalker.Options.defaults(), w);
      LayerDigests d = w.finish();
      return d.uncompressedSize() + " " + d.diffId() + " " + d.blobSize();
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest md = Digest.newSha256();
    ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
    long total = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf.clear()) > 0) {
        buf.flip();
        total += buf.remaining();
        md.update(buf.array(), 0, buf.limit());
      }
    }
    return total + " " + Digest.of(Digest.SHA256, md.digest());
  }

  private static String apply(Path tar, Path target) throws IOException {
    LayerApplier.Stats s = LayerApplier.apply(tar, target, ApplyMode.FLAT);
    return Files.size(tar) + " entries=" + s.entries();
  }

  private static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    Files.walkFileTree(
        p,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            Files.delete(f);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
