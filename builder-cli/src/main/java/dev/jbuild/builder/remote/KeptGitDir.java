package dev.jbuild.builder.remote;

import dev.jbuild.runner.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.util.FS;

/** --keep-git-dir: the fetched repository made the checkout's {@code .git}. */
final class KeptGitDir {
  private KeptGitDir() {}

  /**
   * Makes the fetched repository the checkout's {@code .git}, as BuildKit's --keep-git-dir: HEAD
   * detached at the commit, the fetched branch or tag under its own name, origin set to the remote
   * (without a password), an index matching the tree, no reflogs or FETCH_HEAD.
   */
  static void make(Repository repo, RevCommit commit, GitFetcher.Resolved r, Path out)
      throws IOException {
    String name = r.fetchRef();
    if (name.startsWith("refs/heads/") || name.startsWith("refs/tags/")) {
      Ref fetched = repo.exactRef("refs/jbuild/fetched");
      RefUpdate u = repo.updateRef(name);
      u.setNewObjectId(fetched != null ? fetched.getObjectId() : commit);
      u.setForceUpdate(true);
      u.update();
    }
    for (Ref extra : repo.getRefDatabase().getRefsByPrefix("refs/jbuild/")) {
      RefUpdate d = repo.updateRef(extra.getName());
      d.setForceUpdate(true);
      d.delete();
    }
    RefUpdate head = repo.updateRef(Constants.HEAD, true);
    head.setNewObjectId(commit);
    head.setForceUpdate(true);
    head.update();
    StoredConfig cfg = repo.getConfig();
    cfg.setBoolean("core", null, "bare", false);
    cfg.setString("remote", "origin", "url", r.ref().redacted());
    cfg.setString("remote", "origin", "fetch", "+refs/heads/*:refs/remotes/origin/*");
    cfg.save();
    Path git = repo.getDirectory().toPath();
    DirCache dc = DirCache.lock(git.resolve("index").toFile(), FS.DETECTED);
    try (ObjectReader reader = repo.newObjectReader()) {
      DirCacheBuilder b = dc.builder();
      b.addTree(new byte[0], 0, reader, commit.getTree());
      b.finish();
      dc.write();
      dc.commit();
    } finally {
      dc.unlock();
    }
    Files.deleteIfExists(git.resolve("FETCH_HEAD"));
    Trees.deleteQuietly(git.resolve("logs"));
    Files.move(git, out.resolve(".git"));
  }
}
