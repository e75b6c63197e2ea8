package dev.jbuild.builder.remote;

import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Git sources with JGit: {@link #resolve} asks the remote which commit a ref names (ls-remote, no
 * objects fetched: the commit is the cache key, so an unchanged branch is a hit); {@link #checkout}
 * fetches that commit (depth 1), with its submodules, into a bare repository of its own and writes
 * the tree as a tar that the confined {@link LayerApplier} unpacks: no path from the repository is
 * ever resolved on the host, symlinks stay symlinks, {@code .git} entries are refused.
 */
public final class GitFetcher {
  private GitFetcher() {}

  static {
    JGitSetup.init();
  }

  /** Submodules inside submodules at most this deep. */
  static final int MAX_SUBMODULE_DEPTH = 8;

  /** Entries of one checkout at most. */
  static final int MAX_ENTRIES = 1_000_000;

  /**
   * A ref resolved on its remote.
   *
   * @param commit the commit checked out
   * @param fetchRef what to fetch: the full ref name, or the commit itself
   */
  public record Resolved(GitRef ref, String commit, String fetchRef) {}

  /** Which commit {@code ref} names now (and that it matches its --checksum). */
  public static Resolved resolve(GitRef ref, String checksum, GitAccess access)
      throws IOException, InterruptedException {
    return resolve(ref, checksum, access, null);
  }

  /**
   * {@link #resolve(GitRef, String, GitAccess)}; an abbreviated commit id that names no ref is
   * looked for, as BuildKit does, by fetching every branch and tag into a repository under {@code
   * temp} (when given).
   */
  public static Resolved resolve(GitRef ref, String checksum, GitAccess access, Path temp)
      throws IOException, InterruptedException {
    refuseIfDisallowed(ref, access);
    String want = ref.ref();
    String commit;
    String fetchRef;
    if (isCommit(want)) {
      commit = want.toLowerCase(Locale.ROOT);
      fetchRef = commit;
    } else {
      Map<String, Ref> refs;
      GitTransports.Auth auth = GitTransports.callback(ref, access);
      try {
        refs =
            Git.lsRemoteRepository()
                .setRemote(ref.remote())
                .setTransportConfigCallback(auth)
                .callAsMap();
        auth.succeeded();
      } catch (GitAPIException | RuntimeException e) {
        throw BuildErrors.gitFetch(ref.redacted(), message(e), e);
      }
      Ref found = null;
      List<String> candidates =
          want.isEmpty()
              ? List.of(Constants.HEAD)
              : want.startsWith("refs/")
                  ? List.of(want)
                  : List.of("refs/tags/" + want, "refs/heads/" + want, "refs/" + want);
      for (String c : candidates) {
        found = refs.get(c);
        if (found != null) {
          break;
        }
      }
      if ((found == null || found.getObjectId() == null)
          && temp != null
          && want.matches("[0-9a-fA-F]{4,63}")) {
        commit = abbreviated(ref, want, access, temp);
        if (!checksum.isEmpty() && !commit.startsWith(checksum.toLowerCase(Locale.ROOT))) {
          throw BuildErrors.gitFetch(
              ref.redacted(), "expected checksum to match " + checksum + ", got " + commit, null);
        }
        return new Resolved(ref, commit, commit);
      }
      if (found == null || found.getObjectId() == null) {
        throw BuildErrors.gitFetch(
            ref.redacted(),
            want.isEmpty() ? "the remote has no HEAD" : "no ref " + want + " on the remote",
            null);
      }
      ObjectId id =
          found.getPeeledObjectId() != null ? found.getPeeledObjectId() : found.getObjectId();
      String tagId = found.getObjectId().name();
      commit = id.name();
      fetchRef = found.isSymbolic() ? found.getTarget().getName() : found.getName();
      if (!checksum.isEmpty()
          && !commit.startsWith(checksum.toLowerCase(Locale.ROOT))
          && !tagId.startsWith(checksum.toLowerCase(Locale.ROOT))) {
        throw BuildErrors.gitFetch(
            ref.redacted(), "expected checksum to match " + checksum + ", got " + commit, null);
      }
      return new Resolved(ref, commit, fetchRef);
    }
    if (!checksum.isEmpty() && !commit.startsWith(checksum.toLowerCase(Locale.ROOT))) {
      throw BuildErrors.gitFetch(
          ref.redacted(), "expected checksum to match " + checksum + ", got " + commit, null);
    }
    return new Resolved(ref, commit, fetchRef);
  }

  /** The full id of the commit {@code prefix} abbreviates, from every branch and tag. */
  private static String abbreviated(GitRef ref, String prefix, GitAccess access, Path temp)
      throws IOException {
    Path work = Files.createTempDirectory(temp, "resolve-");
    GitTransports.Auth auth = GitTransports.callback(ref, access);
    try (FetchBudget budget = new FetchBudget(access.maxBytes(), ref.redacted());
        Git git = Git.init().setBare(true).setDirectory(work.toFile()).call()) {
      git.fetch()
          .setRemote(ref.remote())
          .setRefSpecs(
              new RefSpec("+refs/heads/*:refs/jbuild/heads/*"),
              new RefSpec("+refs/tags/*:refs/jbuild/tags/*"))
          .setTagOpt(TagOpt.NO_TAGS)
          .setCheckFetchedObjects(true)
          .setProgressMonitor(budget.monitor(work))
          .setTransportConfigCallback(auth)
          .call();
      auth.succeeded();
      budget.check(work);
      ObjectId id = git.getRepository().resolve(prefix + "^{commit}");
      if (id == null) {
        throw BuildErrors.gitFetch(ref.redacted(), "no ref or commit " + prefix, null);
      }
      return id.name();
    } catch (GitAPIException | RuntimeException e) {
      throw BuildErrors.gitFetch(ref.redacted(), message(e), e);
    } finally {
      Trees.deleteQuietly(work);
    }
  }

  private static void refuseIfDisallowed(GitRef ref, GitAccess access) throws IOException {
    Optional<String> no = GitTransports.refusal(ref, access);
    if (no.isPresent()) {
      throw BuildErrors.gitFetch(ref.redacted(), no.get(), null);
    }
  }

  static boolean isCommit(String ref) {
    return (ref.length() == 40 || ref.length() == 64) && ref.matches("[0-9a-fA-F]+");
  }

  /**
   * Fetches {@code r}'s commit and writes its tree into a new directory under {@code temp}.
   *
   * @param mtime the files' time when the source does not ask for the commit's ({@code mtime=})
   * @param keepGitDir whether the checkout keeps a {@code .git} directory (only without subdir)
   * @return the directory holding the checkout (the subdir's content when one is given)
   */
  public static Path checkout(
      Resolved r, GitAccess access, Path temp, Instant mtime, boolean keepGitDir)
      throws IOException, InterruptedException {
    GitRef ref = r.ref();
    Path work = Files.createTempDirectory(temp, "git-");
    Path bare = work.resolve("repo.git");
    try (FetchBudget budget = new FetchBudget(access.maxBytes(), ref.redacted());
        Repository repo = fetch(ref, r.fetchRef(), r.commit(), bare, access, budget, 0)) {
      List<Entry> entries = new ArrayList<>();
      Instant time;
      try (RevWalk walk = new RevWalk(repo)) {
        RevCommit commit = walk.parseCommit(ObjectId.fromString(r.commit()));
        time = ref.commitMtime() ? Instant.ofEpochSecond(commit.getCommitTime()) : mtime;
        collect(repo, commit, ref, "", access, budget, work, entries, 0);
        if (!ref.subdir().isEmpty()) {
          entries = scope(entries, ref.subdir(), ref.redacted());
        }
        Path tar = work.resolve("checkout.tar");
        write(entries, tar, time, budget);
        Path out = Files.createDirectory(work.resolve("tree"));
        LayerApplier.apply(tar, out, ApplyMode.PLAIN);
        Files.delete(tar);
        if (keepGitDir && ref.subdir().isEmpty()) {
          KeptGitDir.make(repo, commit, r, out);
        }
        return out;
      }
    } catch (GitAPIException | RuntimeException e) {
      throw BuildErrors.gitFetch(ref.redacted(), message(e), e);
    } finally {
      try (var s = Files.list(work)) {
        for (Path p : s.toList()) {
          if (!p.getFileName().toString().equals("tree")) {
            Trees.deleteQuietly(p);
          }
        }
      }
    }
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (m.endsWith(JGitText.get().notAuthorized)
        || m.endsWith(JGitText.get().noCredentialsProvider)) {
      // JGit's words for an HTTP 401 the credentials did not answer
      return m
          + " (HTTP 401: no credentials accepted; pass --secret id=GIT_AUTH_TOKEN, or configure a"
          + " git credential helper for the host)";
    }
    return m;
  }

  /** Fetches {@code fetchRef} (a ref, or the commit itself) at depth 1 into a new bare repo. */
  private static Repository fetch(
      GitRef ref,
      String fetchRef,
      String commit,
      Path bare,
      GitAccess access,
      FetchBudget budget,
      int depth)
      throws IOException, GitAPIException {
    refuseIfDisallowed(ref, access);
    Git git = Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call();
    Repository repo = git.getRepository();
    ObjectId want = ObjectId.fromString(commit);
    String local = "refs/jbuild/fetched";
    List<RefSpec> tries = new ArrayList<>();
    tries.add(new RefSpec("+" + fetchRef + ":" + local));
    if (!fetchRef.equals(commit)) {
      tries.add(new RefSpec(commit + ":" + local));
    }
    Exception last = null;
    GitTransports.Auth auth = GitTransports.callback(ref, access);
    for (RefSpec spec : tries) {
      try {
        git.fetch()
            .setRemote(ref.remote())
            .setRefSpecs(spec)
            .setDepth(1)
            .setTagOpt(TagOpt.NO_TAGS)
            .setCheckFetchedObjects(true)
            .setProgressMonitor(budget.monitor(bare))
            .setTransportConfigCallback(auth)
            .call();
        auth.succeeded();
        if (repo.getObjectDatabase().has(want)) {
          return repo;
        }
      } catch (GitAPIException | RuntimeException e) {
        budget.check(bare);
        last = e;
      }
    }
    // the server would not give the commit by name: every branch and tag, then look for it
    try {
      git.fetch()
          .setRemote(ref.remote())
          .setRefSpecs(
              new RefSpec("+refs/heads/*:refs/jbuild/heads/*"),
              new RefSpec("+refs/tags/*:refs/jbuild/tags/*"))
          .setTagOpt(TagOpt.NO_TAGS)
          .setCheckFetchedObjects(true)
          .setProgressMonitor(budget.monitor(bare))
          .setTransportConfigCallback(auth)
          .call();
      auth.succeeded();
    } catch (GitAPIException | RuntimeException e) {
      budget.check(bare);
      repo.close();
      throw BuildErrors.gitFetch(ref.redacted(), message(last != null ? last : e), e);
    }
    if (!repo.getObjectDatabase().has(want)) {
      repo.close();
      throw BuildErrors.gitFetch(ref.redacted(), "commit " + commit + " not found", last);
    }
    RefUpdate u = repo.updateRef(local);
    u.setNewObjectId(want);
    u.setForceUpdate(true);
    u.update();
    return repo;
  }

  /** One entry of the checkout, before sorting. */
  private record Entry(String path, FileMode mode, ObjectId blob, Repository repo) {}

  /** Adds the entries of {@code commit}'s tree (and its submodules') below {@code prefix}. */
  private static void collect(
      Repository repo,
      RevCommit commit,
      GitRef ref,
      String prefix,
      GitAccess access,
      FetchBudget budget,
      Path work,
      List<Entry> out,
      int depth)
      throws IOException, GitAPIException {
    Config modules = null;
    try (TreeWalk tw = new TreeWalk(repo)) {
      tw.addTree(commit.getTree());
      tw.setRecursive(false);
      while (tw.next()) {
        String name = tw.getNameString();
        if (name.isEmpty()
            || name.equals(".")
            || name.equals("..")
            || name.contains("/")
            || name.indexOf('\0') >= 0
            || name.toLowerCase(Locale.ROOT).equals(".git")) {
          throw BuildErrors.gitFetch(
              ref.redacted(), "the tree has an invalid entry " + tw.getPathString(), null);
        }
        String path = prefix + tw.getPathString();
        if (out.size() >= MAX_ENTRIES) {
          throw BuildErrors.gitFetch(ref.redacted(), "more than " + MAX_ENTRIES + " entries", null);
        }
        FileMode mode = tw.getFileMode(0);
        if (mode == FileMode.TREE) {
          out.add(new Entry(path, mode, null, repo));
          tw.enterSubtree();
        } else if (mode == FileMode.GITLINK) {
          out.add(new Entry(path, FileMode.TREE, null, repo));
          if (ref.submodules()) {
            if (modules == null) {
              modules = gitmodules(repo, commit);
            }
            submodule(
                repo,
                modules,
                ref,
                tw.getPathString(),
                tw.getObjectId(0),
                path,
                access,
                budget,
                work,
                out,
                depth);
          }
        } else {
          out.add(new Entry(path, mode, tw.getObjectId(0), repo));
        }
      }
    }
  }

  private static Config gitmodules(Repository repo, RevCommit commit) throws IOException {
    Config c = new Config();
    try (TreeWalk tw = TreeWalk.forPath(repo, Constants.DOT_GIT_MODULES, commit.getTree())) {
      if (tw != null) {
        byte[] b = repo.open(tw.getObjectId(0)).getCachedBytes(1 << 20);
        c.fromText(new String(b, java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (org.eclipse.jgit.errors.ConfigInvalidException e) {
      throw new IOException("invalid .gitmodules: " + e.getMessage(), e);
    }
    return c;
  }

  private static void submodule(
      Repository repo,
      Config modules,
      GitRef parent,
      String pathInRepo,
      ObjectId commit,
      String path,
      GitAccess access,
      FetchBudget budget,
      Path work,
      List<Entry> out,
      int depth)
      throws IOException, GitAPIException {
    if (depth >= MAX_SUBMODULE_DEPTH) {
      throw BuildErrors.gitFetch(parent.redacted(), "submodules nested too deep at " + path, null);
    }
    String url = null;
    for (String name : modules.getSubsections("submodule")) {
      if (pathInRepo.equals(modules.getString("submodule", name, "path"))) {
        url = modules.getString("submodule", name, "url");
      }
    }
    if (url == null) {
      throw BuildErrors.gitFetch(
          parent.redacted(), "no url in .gitmodules for submodule " + path, null);
    }
    String remote = url.startsWith("./") || url.startsWith("../") ? relative(parent, url) : url;
    GitRef sub;
    GitRef.Parsed p = GitRef.parse(remote.endsWith(".git") ? remote : remote, false);
    if (p instanceof GitRef.Git g) {
      sub = new GitRef(g.ref().remote(), "", "", "", Optional.empty(), true, false);
    } else if (remote.matches("(?i)^(https?|git|ssh)://.*")) {
      sub = new GitRef(remote, "", "", "", Optional.empty(), true, false);
    } else {
      throw BuildErrors.gitFetch(
          parent.redacted(), "submodule " + path + " has an unsupported url " + url, null);
    }
    Path bare = Files.createTempDirectory(work, "sub-");
    Repository subRepo = fetch(sub, commit.name(), commit.name(), bare, access, budget, depth + 1);
    budget.opened.add(subRepo);
    try (RevWalk walk = new RevWalk(subRepo)) {
      RevCommit c = walk.parseCommit(commit);
      collect(subRepo, c, sub, path + "/", access, budget, work, out, depth + 1);
    }
  }

  /** A relative submodule url resolved against its parent's remote, as git does. */
  static String relative(GitRef parent, String url) {
    String base = parent.remote().replaceAll("/+$", "");
    String sep = "/";
    String rest = url;
    while (true) {
      if (rest.startsWith("./")) {
        rest = rest.substring(2);
      } else if (rest.startsWith("../")) {
        rest = rest.substring(3);
        int cut = Math.max(base.lastIndexOf('/'), base.lastIndexOf(':'));
        if (cut < 0 || base.startsWith("://", cut) || base.startsWith("//", cut - 1)) {
          break;
        }
        sep = base.charAt(cut) == ':' ? ":" : "/";
        base = base.substring(0, cut);
      } else {
        break;
      }
    }
    return base + sep + rest;
  }

  /** The entries below {@code subdir}, renamed relative to it; its path must be directories. */
  private static List<Entry> scope(List<Entry> entries, String subdir, String remote)
      throws IOException {
    List<Entry> out = new ArrayList<>();
    boolean found = false;
    for (Entry e : entries) {
      if (e.path().equals(subdir) || subdir.startsWith(e.path() + "/")) {
        if (e.mode() != FileMode.TREE) {
          throw BuildErrors.gitFetch(
              remote, "subdir " + subdir + ": " + e.path() + " is not a directory", null);
        }
        found |= e.path().equals(subdir);
      } else if (e.path().startsWith(subdir + "/")) {
        out.add(new Entry(e.path().substring(subdir.length() + 1), e.mode(), e.blob(), e.repo()));
      }
    }
    if (!found) {
      throw BuildErrors.gitFetch(remote, "subdir " + subdir + " not found", null);
    }
    return out;
  }

  /** Writes the entries as a tar: directories 0755, files 0644 or 0755, symlinks as they are. */
  private static void write(List<Entry> entries, Path tar, Instant time, FetchBudget budget)
      throws IOException {
    entries.sort(Comparator.comparing(Entry::path, TarNames.ORDER));
    Set<String> seen = new HashSet<>();
    try (OutputStream os = Files.newOutputStream(tar);
        LayerWriter w = LayerWriter.open(os, LayerWriterOptions.defaults())) {
      for (Entry e : entries) {
        if (!seen.add(e.path())) {
          continue;
        }
        if (e.mode() == FileMode.TREE) {
          w.add(TarEntry.directory(e.path()).withMode(0755).withMtime(time));
          continue;
        }
        ObjectLoader l = e.repo().open(e.blob(), Constants.OBJ_BLOB);
        budget.add(l.getSize());
        if (e.mode() == FileMode.SYMLINK) {
          String target =
              new String(l.getCachedBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
          w.add(TarEntry.symlink(e.path(), target).withMtime(time));
          continue;
        }
        int mode = e.mode() == FileMode.EXECUTABLE_FILE ? 0755 : 0644;
        try (InputStream in = l.openStream()) {
          w.add(TarEntry.file(e.path(), l.getSize()).withMode(mode).withMtime(time), in);
        }
      }
      w.finish();
    }
  }
}
