package dev.jbuild.builder.context;

import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.TarNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A build context directory as the Dockerfile sees it: .dockerignore applied, paths confined to the
 * context (".." stops at its root, symlinks are resolved inside it), content hashes memoised in a
 * {@link FileHashCache}.
 */
public final class BuildContext {
  private static final int MAX_SYMLINKS = 40;

  private final Path root;
  private final IgnoreFilter ignore;
  private final FileHashCache hashes;

  public BuildContext(Path root, IgnoreFilter ignore, FileHashCache hashes) {
    this.root = root.toAbsolutePath().normalize();
    this.ignore = ignore;
    this.hashes = hashes;
  }

  public Path root() {
    return root;
  }

  public IgnoreFilter ignore() {
    return ignore;
  }

  public FileHashCache hashes() {
    return hashes;
  }

  /** The content hash of a regular file of the context (memoised by its stat). */
  public Digest contentHash(ContextFile file) throws IOException {
    Stat s = file.stat();
    return hashes.hash(
        file.rel(),
        file.path(),
        new FileHashCache.Fingerprint(
            s.dev(), s.ino(), s.size(), nanos(s.mtime()), nanos(s.ctime())));
  }

  private static long nanos(java.time.Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** True when the context holds {@code rel} and .dockerignore does not hide it. */
  public boolean visible(String rel, Stat stat) {
    if (rel.isEmpty()) {
      return true;
    }
    if (!ignore.excluded(rel)) {
      return true;
    }
    // an excluded directory still shows what exception patterns re-include below it
    return stat.isDirectory() && !ignore.skipDir(rel);
  }

  /**
   * Resolves a COPY/ADD source as written (wildcards allowed) to the context files it names.
   * Symlinks are followed inside the context, the last component's too: COPY copies what a link
   * points at. A literal source naming nothing is an error; a wildcard matching nothing gives an
   * empty list, as in docker build (BuildKit copies with AllowEmptyWildcard).
   *
   * @param allowWildcards false for sources that are literal (e.g. after --parents pivots)
   */
  public List<ContextFile> resolve(String source, boolean allowWildcards) throws ContextException {
    List<String> parts = TarNames.components(source);
    List<ContextFile> out = new ArrayList<>();
    try {
      expand(new ArrayList<>(), parts, 0, allowWildcards, out);
    } catch (IOException e) {
      throw new ContextException(
          "cannot read " + source + " in the build context: " + e.getMessage(), e);
    }
    if (out.isEmpty() && !(allowWildcards && parts.stream().anyMatch(GoGlob::hasMeta))) {
      throw new ContextException(
          "\""
              + source
              + "\": not found in the build context"
              + (ignore == IgnoreFilter.NONE ? "" : " (or excluded by .dockerignore)"));
    }
    return out;
  }

  private void expand(
      List<String> resolved, List<String> pattern, int i, boolean wildcards, List<ContextFile> out)
      throws IOException, ContextException {
    if (i == pattern.size()) {
      ContextFile f = followed(resolved, true);
      if (f != null && visible(f.rel(), f.stat())) {
        out.add(resolved.isEmpty() ? f : f.namedAs(resolved.getLast()));
      }
      return;
    }
    String part = pattern.get(i);
    if (wildcards && GoGlob.hasMeta(part)) {
      ContextFile dir = followed(resolved, true);
      if (dir == null || !dir.stat().isDirectory()) {
        return;
      }
      List<String> names = DirectoryWalker.sortedNames(dir.path());
      for (String name : names) {
        boolean m;
        try {
          m = GoGlob.match(part, name);
        } catch (IllegalArgumentException e) {
          throw new ContextException(
              "invalid wildcard in \"" + String.join("/", pattern) + "\": " + e.getMessage());
        }
        if (m) {
          List<String> next = new ArrayList<>(splitRel(dir.rel()));
          next.add(name);
          expand(next, pattern, i + 1, wildcards, out);
        }
      }
      return;
    }
    List<String> next = new ArrayList<>(resolved);
    next.add(wildcards ? GoGlob.unescape(part) : part);
    expand(next, pattern, i + 1, wildcards, out);
  }

  private static List<String> splitRel(String rel) {
    return rel.isEmpty() ? List.of() : List.of(rel.split("/"));
  }

  /**
   * Resolves components to a context file, following symlinks inside the context (all of them when
   * {@code followLast}, else all but the last). Null when nothing is there.
   */
  ContextFile followed(List<String> components, boolean followLast) throws IOException {
    Deque<String> todo = new ArrayDeque<>(components);
    List<String> done = new ArrayList<>();
    int links = 0;
    Stat st = lstat(root);
    while (!todo.isEmpty()) {
      String c = todo.removeFirst();
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        st = lstat(pathOf(done));
        continue;
      }
      if (c.equals(".") || c.isEmpty()) {
        continue;
      }
      done.add(c);
      Path p = pathOf(done);
      st = lstat(p);
      if (st == null) {
        return null;
      }
      if (st.isSymlink() && (followLast || !todo.isEmpty())) {
        if (++links > MAX_SYMLINKS) {
          throw new IOException("too many levels of symbolic links at " + String.join("/", done));
        }
        String target = Files.readSymbolicLink(p).toString();
        done.removeLast();
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> t = new ArrayList<>(List.of(target.split("/")));
        for (int k = t.size() - 1; k >= 0; k--) {
          todo.addFirst(t.get(k));
        }
        st = lstat(pathOf(done));
      }
    }
    if (st == null) {
      return null;
    }
    return new ContextFile(String.join("/", done), pathOf(done), st);
  }

  private Path pathOf(List<String> parts) {
    Path p = root;
    for (String s : parts) {
      p = p.resolve(s);
    }
    return p;
  }

  private static Stat lstat(Path p) throws IOException {
    return JdkStat.lstatOrNull(p);
  }

  /**
   * The files below {@code dir} in canonical order (depth first, siblings by name bytes), without
   * {@code dir} itself. What .dockerignore hides and what {@code excludes} (paths relative to
   * {@code dir}, e.g. COPY --exclude) rejects is skipped; a directory that is itself excluded still
   * appears when something below it is re-included by an exception pattern, just before that entry.
   * Lazy: one directory listing is held per level.
   */
  public Iterator<ContextFile> walk(ContextFile dir, IgnoreFilter excludes) {
    return new Walk(dir, excludes);
  }

  private final class Walk implements Iterator<ContextFile> {
    private final class Level {
      final ContextFile dir;
      final Iterator<String> names;
      boolean emitted;

      Level(ContextFile dir, boolean emitted) {
        this.dir = dir;
        this.emitted = emitted;
        try {
          this.names = DirectoryWalker.sortedNames(dir.path()).iterator();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(
              "cannot list " + (dir.rel().isEmpty() ? "." : dir.rel()) + " in the build context",
              e);
        }
      }
    }

    private final Deque<Level> stack = new ArrayDeque<>();
    private final Deque<ContextFile> ready = new ArrayDeque<>();
    private final ContextFile top;
    private final IgnoreFilter excludes;

    Walk(ContextFile top, IgnoreFilter excludes) {
      this.top = top;
      this.excludes = excludes;
      stack.push(new Level(top, true));
      advance();
    }

    private String inner(String rel) {
      return top.rel().isEmpty() ? rel : rel.substring(top.rel().length() + 1);
    }

    /** Queues the not yet emitted directories on the stack, outermost first, then {@code f}. */
    private void emit(ContextFile f) {
      Deque<ContextFile> pending = new ArrayDeque<>();
      for (Level l : stack) { // innermost first
        if (l.emitted) {
          break;
        }
        l.emitted = true;
        pending.push(l.dir);
      }
      ready.addAll(pending);
      if (f != null) {
        ready.add(f);
      }
    }

    private void advance() {
      while (ready.isEmpty() && !stack.isEmpty()) {
        Level level = stack.peek();
        if (!level.names.hasNext()) {
          stack.pop();
          continue;
        }
        String name = level.names.next();
        ContextFile parent = level.dir;
        String rel = parent.rel().isEmpty() ? name : parent.rel() + "/" + name;
        Path p = parent.path().resolve(name);
        Stat st;
        try {
          st = lstat(p);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        if (st == null || st.isSocket()) {
          continue; // vanished meanwhile, or a socket (never part of a context)
        }
        String in = inner(rel);
        boolean hidden = ignore.excluded(rel) || excludes.excluded(in);
        ContextFile f = new ContextFile(rel, p, st);
        if (st.isDirectory()) {
          boolean skip =
              (ignore.excluded(rel) && ignore.skipDir(rel))
                  || (excludes.excluded(in) && excludes.skipDir(in));
          if (skip) {
            continue;
          }
          if (!hidden) {
            emit(f);
            stack.push(new Level(f, true));
          } else {
            stack.push(new Level(f, false));
          }
          continue;
        }
        if (!hidden) {
          emit(f);
        }
      }
    }

    @Override
    public boolean hasNext() {
      return !ready.isEmpty();
    }

    @Override
    public ContextFile next() {
      ContextFile f = ready.poll();
      if (f == null) {
        throw new NoSuchElementException();
      }
      if (ready.isEmpty()) {
        advance();
      }
      return f;
    }
  }
}
