package dev.jbuild.cli;

import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.context.Ignores;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The client's uploads: one tar of every item it carries, item {@code I} under {@code I/}. A build
 * context is filtered by its .dockerignore (the engine's {@link Ignores}, so an ignored file never
 * leaves this machine); the .dockerignore and the Dockerfile are always sent, as docker sends them.
 * An item that does not exist here is not sent: the daemon then reports it missing.
 */
final class ClientUploads {
  private ClientUploads() {}

  static void write(ClientArgs.Plan plan, OutputStream out) throws IOException {
    LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults().withThreads(1));
    List<ClientArgs.Carried> items = plan.paths();
    Optional<Path> dockerfile = Optional.empty();
    for (ClientArgs.Carried c : items) {
      if (c.kind() == ClientArgs.Kind.DOCKERFILE && userPath(c.clientPath())) {
        dockerfile = Optional.of(Path.of(c.clientPath()));
      }
    }
    for (int i = 0; i < items.size(); i++) {
      ClientArgs.Carried c = items.get(i);
      String prefix = Integer.toString(i);
      switch (c.kind()) {
        case CONTEXT -> context(w, prefix, Path.of(c.clientPath()), dockerfile, items);
        case DIR -> {
          Path dir = Path.of(c.clientPath());
          if (Files.isDirectory(dir)) {
            dir = dir.toRealPath();
            w.add(rootEntry(prefix, dir));
            DirectoryWalker.writeTo(
                dir, DirectoryWalker.Options.defaults().withNamePrefix(prefix), w);
          }
        }
        case FILE -> file(w, prefix, Path.of(c.clientPath()), c.clientPath());
        case DOCKERFILE -> {
          if (userPath(c.clientPath())) {
            Path df = Path.of(c.clientPath());
            file(w, prefix, df, c.clientPath());
            Path ignore = df.resolveSibling(df.getFileName() + ".dockerignore");
            if (Files.isRegularFile(ignore)) {
              add(w, prefix + "/" + ClientCalls.safeName(c.clientPath()) + ".dockerignore", ignore);
            }
          }
        }
        default -> {}
      }
    }
    w.finish();
  }

  /** As BuildCommand.Inputs.read decides: a -f that exists from here is a path here. */
  private static boolean userPath(String file) {
    Path df = Path.of(file);
    return df.isAbsolute() || Files.exists(df);
  }

  private static void context(
      LayerWriter w,
      String prefix,
      Path dir,
      Optional<Path> dockerfile,
      List<ClientArgs.Carried> items)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    Path root = dir.toRealPath();
    Optional<Path> df = dockerfile;
    String inContext = "Dockerfile";
    if (df.isEmpty()) {
      String name = "Dockerfile";
      for (ClientArgs.Carried c : items) {
        if (c.kind() == ClientArgs.Kind.DOCKERFILE) {
          name = c.clientPath();
        }
      }
      if (name.equals("Dockerfile")
          && !Files.exists(root.resolve("Dockerfile"), LinkOption.NOFOLLOW_LINKS)
          && Files.exists(root.resolve("Containerfile"), LinkOption.NOFOLLOW_LINKS)) {
        name = "Containerfile";
      }
      inContext = name;
      df = Optional.of(root.resolve(name));
    }
    IgnoreFilter ignore = Ignores.forContext(root, df);
    String always = inContext;
    w.add(rootEntry(prefix, root));
    DirectoryWalker.Hook hook =
        new DirectoryWalker.Hook() {
          @Override
          public TarEntry entry(DirectoryWalker.WalkedFile file, TarEntry entry) {
            String rel = root.relativize(file.path()).toString();
            if (rel.equals(".dockerignore") || rel.equals(always) || !ignore.excluded(rel)) {
              return entry;
            }
            return file.stat().isDirectory() && !ignore.skipDir(rel) ? entry : null;
          }

          @Override
          public boolean trackHardlink(DirectoryWalker.WalkedFile file, TarEntry entry) {
            return false; // the first name of a group may be ignored: each one is a file
          }
        };
    DirectoryWalker.writeTo(
        root, DirectoryWalker.Options.defaults().withNamePrefix(prefix).withHook(hook), w);
  }

  /** The item's own directory: the source directory's metadata, so an empty one still arrives. */
  private static TarEntry rootEntry(String prefix, Path dir) throws IOException {
    return DirectoryWalker.entryFor(prefix, dir, Posix.lstat(dir), DirectoryWalker.DEFAULT_XATTRS);
  }

  private static void file(LayerWriter w, String prefix, Path f, String clientPath)
      throws IOException {
    if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
      return;
    }
    w.add(TarEntry.directory(prefix).withMode(0700));
    add(w, prefix + "/" + ClientCalls.safeName(clientPath), f);
  }

  private static void add(LayerWriter w, String name, Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      long size = Files.size(f);
      int mode = Files.isExecutable(f) ? 0755 : 0644;
      TarEntry e =
          TarEntry.file(name, size)
              .withMode(mode)
              .withOwner(0, 0)
              .withMtime(Files.getLastModifiedTime(f).toInstant());
      w.add(e, in);
    }
  }
}
