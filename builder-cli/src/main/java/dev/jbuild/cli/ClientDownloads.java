package dev.jbuild.cli;

import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What a command wrote for the client ({@code --iidfile}, {@code -o dest=}, {@code save -o}): a tar
 * per item from the daemon, unpacked with the confined applier into a directory next to the
 * destination (same file system), then renamed into place; {@code dest=-} goes to stdout.
 */
final class ClientDownloads {
  private ClientDownloads() {}

  static void receive(ClientArgs.Carried item, InputStream tar, OutputStream stdout)
      throws IOException {
    try (tar) {
      Path dest = Path.of(item.clientPath()).toAbsolutePath();
      Path parent =
          item.kind() == ClientArgs.Kind.OUT_STDOUT
              ? Path.of(System.getProperty("java.io.tmpdir"))
              : dest.getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempDirectory(parent, ".jbuild-download-");
      try {
        LayerApplier.apply(tar, tmp, ApplyMode.PLAIN);
        String name =
            item.kind() == ClientArgs.Kind.OUT_STDOUT
                ? "stdout"
                : ClientCalls.safeName(item.clientPath());
        Path got = tmp.resolve(name);
        if (!Files.exists(got, LinkOption.NOFOLLOW_LINKS)) {
          return; // the command did not write it (it failed first)
        }
        switch (item.kind()) {
          case OUT_STDOUT -> {
            Files.copy(got, stdout);
            stdout.flush();
          }
          case OUT_DIR -> merge(got, dest);
          default ->
              Files.move(
                  got, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      } finally {
        dev.jbuild.runner.Trees.deleteQuietly(tmp);
      }
    }
  }

  /** Moves {@code from}'s tree into {@code to}: directories merge, anything else replaces. */
  private static void merge(Path from, Path to) throws IOException {
    if (!Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)
        && Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(from)) {
        for (Path child : children) {
          merge(child, to.resolve(child.getFileName().toString()));
        }
      }
      return;
    }
    if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
      dev.jbuild.runner.Trees.delete(to);
    }
    Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
