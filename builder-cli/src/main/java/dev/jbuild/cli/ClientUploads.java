package dev.jbuild.cli;

import dev.jbuild.grammar.ignore.Dockerignore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The client's uploads: one tar of every item it carries, item {@code I} under {@code I/}. A build
 * context is filtered by its .dockerignore (the grammar's {@link Dockerignore}, docker's rules: an
 * ignored file never leaves this machine); the .dockerignore and the Dockerfile are always sent, as
 * docker sends them. An item that does not exist here is not sent: the daemon then reports it
 * missing. The walk is sorted and reads attributes with java.nio (no native code: the client starts
 * fast); the daemon unpacks it with the confined applier.
 */
final class ClientUploads {
  private ClientUploads() {}

  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  static void write(ClientArgs.Plan plan, OutputStream out) throws IOException {
    List<ClientArgs.Carried> items = plan.paths();
    if (items.stream().noneMatch(c -> c.kind().upload())) {
      return; // nothing to send: no tar at all
    }
    ClientTar tar = new ClientTar(out);
    Path dockerfile = null;
    String dockerfileArg = null;
    for (ClientArgs.Carried c : items) {
      if (c.kind() == ClientArgs.Kind.DOCKERFILE) {
        dockerfileArg = c.clientPath();
        if (userPath(c.clientPath())) {
          dockerfile = Path.of(c.clientPath());
        }
      }
    }
    for (int i = 0; i < items.size(); i++) {
      ClientArgs.Carried c = items.get(i);
      String prefix = Integer.toString(i);
      switch (c.kind()) {
        case CONTEXT -> context(tar, prefix, Path.of(c.clientPath()), dockerfile, dockerfileArg);
        case DIR -> {
          Path dir = Path.of(c.clientPath());
          if (Files.isDirectory(dir)) {
            tree(tar, prefix, dir.toRealPath(), null, null);
          }
        }
        case FILE -> file(tar, prefix, Path.of(c.clientPath()), c.clientPath());
        case DOCKERFILE -> {
          if (userPath(c.clientPath())) {
            Path df = Path.of(c.clientPath());
            file(tar, prefix, df, c.clientPath());
            Path ignore = df.resolveSibling(df.getFileName() + ".dockerignore");
            if (Files.isRegularFile(ignore)) {
              add(
                  tar,
                  prefix + "/" + ClientCalls.safeName(c.clientPath()) + ".dockerignore",
                  ignore);
            }
          }
        }
        default -> {}
      }
    }
    tar.finish();
  }

  /** As BuildCommand.Inputs.read decides: a -f that exists from here is a path here. */
  private static boolean userPath(String file) {
    Path df = Path.of(file);
    return df.isAbsolute() || Files.exists(df);
  }

  private static void context(
      ClientTar tar, String prefix, Path dir, Path dockerfile, String dockerfileArg)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    Path root = dir.toRealPath();
    String inContext = null;
    Path df = dockerfile;
    if (df == null) {
      String name = dockerfileArg;
      if (name == null) {
        name =
            !Files.exists(root.resolve("Dockerfile"), NOFOLLOW)
                    && Files.exists(root.resolve("Containerfile"), NOFOLLOW)
                ? "Containerfile"
                : "Dockerfile";
      }
      inContext = name;
      df = root.resolve(name);
    }
    Dockerignore ignore;
    try {
      ignore = Dockerignore.forContext(root, df);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage(), e);
    }
    tree(tar, prefix, root, ignore, inContext);
  }

  /** The tree at {@code root} under {@code prefix}, sorted, filtered by {@code ignore}. */
  private static void tree(
      ClientTar tar, String prefix, Path root, Dockerignore ignore, String always)
      throws IOException {
    entry(tar, prefix, root, attrs(root));
    walk(tar, prefix, root, "", ignore, always);
  }

  private static void walk(
      ClientTar tar, String prefix, Path dir, String rel, Dockerignore ignore, String always)
      throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        names.add(child.getFileName().toString());
      }
    }
    names.sort(null);
    for (String name : names) {
      Path p = dir.resolve(name);
      String r = rel.isEmpty() ? name : rel + "/" + name;
      Map<String, Object> a = attrs(p);
      boolean isDir = Boolean.TRUE.equals(a.get("isDirectory"));
      boolean excluded =
          ignore != null && !r.equals(".dockerignore") && !r.equals(always) && ignore.excludes(r);
      if (excluded && (!isDir || ignore.canSkipDir(r))) {
        continue;
      }
      if (entry(tar, prefix + "/" + r, p, a) && isDir) {
        walk(tar, prefix, p, r, ignore, always);
      }
    }
  }

  private static Map<String, Object> attrs(Path p) throws IOException {
    return Files.readAttributes(p, "unix:*", NOFOLLOW);
  }

  /** Writes one entry; false for what a tar of a context does not hold (sockets, devices). */
  private static boolean entry(ClientTar tar, String name, Path p, Map<String, Object> a)
      throws IOException {
    int mode = ((Integer) a.get("mode")) & 07777;
    long uid = ((Integer) a.get("uid")) & 0xffffffffL;
    long gid = ((Integer) a.get("gid")) & 0xffffffffL;
    long mtime = ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond();
    if (Boolean.TRUE.equals(a.get("isDirectory"))) {
      tar.header(name, ClientTar.DIR, mode, uid, gid, 0, mtime, "");
    } else if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
      tar.header(
          name, ClientTar.SYMLINK, mode, uid, gid, 0, mtime, Files.readSymbolicLink(p).toString());
    } else if (Boolean.TRUE.equals(a.get("isRegularFile"))) {
      try (InputStream in = Files.newInputStream(p, NOFOLLOW)) {
        long size = (Long) a.get("size");
        tar.header(name, ClientTar.FILE, mode, uid, gid, size, mtime, "");
        tar.content(in, size);
      }
    } else {
      return false;
    }
    return true;
  }

  private static void file(ClientTar tar, String prefix, Path f, String clientPath)
      throws IOException {
    if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
      return;
    }
    tar.header(prefix, ClientTar.DIR, 0700, 0, 0, 0, 0, "");
    add(tar, prefix + "/" + ClientCalls.safeName(clientPath), f);
  }

  /** A file as the command reads it here (links followed), owned by root in the upload. */
  private static void add(ClientTar tar, String name, Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      long size = Files.size(f);
      tar.header(
          name,
          ClientTar.FILE,
          Files.isExecutable(f) ? 0755 : 0644,
          0,
          0,
          size,
          Files.getLastModifiedTime(f).toInstant().getEpochSecond(),
          "");
      tar.content(in, size);
    }
  }
}
