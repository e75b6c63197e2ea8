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
import java.util.Set;

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

  private static final String ATTRIBUTES =
      "unix:isDirectory,isRegularFile,isSymbolicLink,size,lastModifiedTime,ctime,ino,dev,mode,uid,"
          + "gid";

  /** One entry of a walk: {@code name} in the upload, its path and attributes here. */
  private interface Visitor {
    /** False for what a tar of a context does not hold (sockets, devices): not descended. */
    boolean visit(String name, Path p, Map<String, Object> a) throws IOException;
  }

  /** Whether the plan carries a build context (then a manifest goes first: {@link #manifest}). */
  static boolean hasContext(ClientArgs.Plan plan) {
    return plan.paths().stream().anyMatch(c -> c.kind() == ClientArgs.Kind.CONTEXT);
  }

  /** The most entries a manifest's walk remembers for the upload (else the upload walks again). */
  private static final int MAX_REMEMBERED = 100_000;

  /** An entry of a walk kept for the upload: what its tar header needs. */
  private record Seen(
      String name, Path path, char type, int mode, long uid, long gid, long size, long mtime) {}

  /**
   * What the manifest's walk saw of each context item, for the upload to send without walking
   * again; null past {@link #MAX_REMEMBERED} entries.
   */
  static final class Walked {
    private final Map<String, List<Seen>> items = new java.util.HashMap<>();
    private int count;
  }

  /**
   * The manifest of the plan's build contexts ({@link ContextManifest}): a record for each regular
   * file the upload would carry, from the same walk, which is remembered for the upload.
   */
  static Walked manifest(ClientArgs.Plan plan, OutputStream out) throws IOException {
    Walked walked = new Walked();
    boolean[] overflow = {false};
    List<ClientArgs.Carried> items = plan.paths();
    Dockerfile df = dockerfile(items);
    for (int i = 0; i < items.size(); i++) {
      ClientArgs.Carried c = items.get(i);
      if (c.kind() != ClientArgs.Kind.CONTEXT) {
        continue;
      }
      List<Seen> seen = new ArrayList<>();
      Visitor v =
          (name, p, a) -> {
            Seen e = seen(name, p, a);
            if (e == null) {
              return false;
            }
            if (e.type() == ClientTar.FILE) {
              ContextManifest.write(out, name, print(a));
            }
            if (!overflow[0]) {
              seen.add(e);
              overflow[0] = ++walked.count > MAX_REMEMBERED;
            }
            return true;
          };
      String prefix = Integer.toString(i);
      context(v, prefix, Path.of(c.clientPath()), df.path(), df.arg());
      walked.items.put(prefix, seen);
    }
    return overflow[0] ? null : walked;
  }

  /** What the tar will say of an entry; null for what it does not hold (sockets, devices). */
  private static Seen seen(String name, Path p, Map<String, Object> a) {
    char type;
    if (Boolean.TRUE.equals(a.get("isDirectory"))) {
      type = ClientTar.DIR;
    } else if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
      type = ClientTar.SYMLINK;
    } else if (Boolean.TRUE.equals(a.get("isRegularFile"))) {
      type = ClientTar.FILE;
    } else {
      return null;
    }
    return new Seen(
        name,
        p,
        type,
        ((Integer) a.get("mode")) & 07777,
        ((Integer) a.get("uid")) & 0xffffffffL,
        ((Integer) a.get("gid")) & 0xffffffffL,
        type == ClientTar.FILE ? (Long) a.get("size") : 0,
        ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond());
  }

  /** Writes one entry. */
  private static void entry(ClientTar tar, Seen e) throws IOException {
    switch (e.type()) {
      case ClientTar.SYMLINK ->
          tar.header(
              e.name(),
              ClientTar.SYMLINK,
              e.mode(),
              e.uid(),
              e.gid(),
              0,
              e.mtime(),
              Files.readSymbolicLink(e.path()).toString());
      case ClientTar.FILE -> {
        try (InputStream in = Files.newInputStream(e.path(), NOFOLLOW)) {
          tar.header(e.name(), ClientTar.FILE, e.mode(), e.uid(), e.gid(), e.size(), e.mtime(), "");
          tar.content(in, e.size());
        }
      }
      default -> tar.header(e.name(), e.type(), e.mode(), e.uid(), e.gid(), 0, e.mtime(), "");
    }
  }

  private static dev.jbuild.serve.ContextPrints.Print print(Map<String, Object> a) {
    return new dev.jbuild.serve.ContextPrints.Print(
        (Long) a.get("size"),
        nanos((FileTime) a.get("lastModifiedTime")),
        nanos((FileTime) a.get("ctime")),
        (Long) a.get("ino"),
        (Long) a.get("dev"),
        ((Integer) a.get("mode")) & 07777,
        ((Integer) a.get("uid")) & 0xffffffffL,
        ((Integer) a.get("gid")) & 0xffffffffL);
  }

  private static long nanos(FileTime t) {
    java.time.Instant i = t.toInstant();
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  /** The -f of the plan: a path here, or a name in the context. */
  private record Dockerfile(Path path, String arg) {}

  private static Dockerfile dockerfile(List<ClientArgs.Carried> items) {
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
    return new Dockerfile(dockerfile, dockerfileArg);
  }

  /**
   * The upload: a tar of every item, leaving out the content of the context files named in {@code
   * have} (what the daemon answered to the manifest; empty without one).
   */
  static void write(ClientArgs.Plan plan, OutputStream out, Set<String> have, Walked walked)
      throws IOException {
    List<ClientArgs.Carried> items = plan.paths();
    if (items.stream().noneMatch(c -> c.kind().upload())) {
      return; // nothing to send: no tar at all
    }
    ClientTar tar = new ClientTar(out);
    Visitor all = (name, p, a) -> entry(tar, name, p, a);
    Visitor contexts =
        have.isEmpty()
            ? all
            : (name, p, a) ->
                (Boolean.TRUE.equals(a.get("isRegularFile")) && have.contains(name))
                    || entry(tar, name, p, a);
    Dockerfile named = dockerfile(items);
    for (int i = 0; i < items.size(); i++) {
      ClientArgs.Carried c = items.get(i);
      String prefix = Integer.toString(i);
      List<Seen> seen = walked == null ? null : walked.items.get(prefix);
      switch (c.kind()) {
        case CONTEXT -> {
          if (seen != null) {
            for (Seen e : seen) {
              if (e.type() != ClientTar.FILE || !have.contains(e.name())) {
                entry(tar, e);
              }
            }
          } else {
            context(contexts, prefix, Path.of(c.clientPath()), named.path(), named.arg());
          }
        }
        case DIR -> {
          Path dir = Path.of(c.clientPath());
          if (Files.isDirectory(dir)) {
            tree(all, prefix, dir.toRealPath(), null, null);
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
      Visitor tar, String prefix, Path dir, Path dockerfile, String dockerfileArg)
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
      Visitor tar, String prefix, Path root, Dockerignore ignore, String always)
      throws IOException {
    tar.visit(prefix, root, attrs(root));
    walk(tar, prefix, root, "", ignore, always);
  }

  private static void walk(
      Visitor tar, String prefix, Path dir, String rel, Dockerignore ignore, String always)
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
      if (tar.visit(prefix + "/" + r, p, a) && isDir) {
        walk(tar, prefix, p, r, ignore, always);
      }
    }
  }

  private static Map<String, Object> attrs(Path p) throws IOException {
    // the attributes used, by name: "unix:*" would also look up the owner's and group's names
    // (getpwuid and getgrgid for every file: most of a walk's time)
    return Files.readAttributes(p, ATTRIBUTES, NOFOLLOW);
  }

  /** Writes one entry; false for what a tar of a context does not hold (sockets, devices). */
  private static boolean entry(ClientTar tar, String name, Path p, Map<String, Object> a)
      throws IOException {
    Seen e = seen(name, p, a);
    if (e == null) {
      return false;
    }
    entry(tar, e);
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
