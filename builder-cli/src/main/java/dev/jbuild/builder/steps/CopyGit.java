package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextException;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.copy.CopyItem;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.remote.GitAccess;
import dev.jbuild.builder.remote.GitFetcher;
import dev.jbuild.builder.remote.GitRef;
import dev.jbuild.builder.run.Secrets;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.layercache.registry.RegistryConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * ADD's git sources, as BuildKit's: keyed by the commit the ref names now (asked of the remote,
 * nothing fetched), so an unchanged branch is a hit and a new commit a miss; on a miss the commit
 * is fetched and its tree (or the fragment's subdir) is copied into the destination like a
 * directory, with --keep-git-dir's {@code .git} when asked.
 */
final class CopyGit {
  private CopyGit() {}

  static CopySource.Git prepare(
      KeyBuilder key, AddInstruction add, String written, GitRef ref, BuildServices services)
      throws IOException, StepFailure, InterruptedException {
    boolean keep = add.keepGitDir();
    if (ref.keepGitDir().isPresent()) {
      if (add.keepGitDir() && !ref.keepGitDir().get()) {
        throw BuildErrors.invalidGitSource("inconsistent keep-git-dir configuration");
      }
      keep = ref.keepGitDir().get();
    }
    String checksum = add.checksum().orElse("");
    if (!checksum.isEmpty() && !ref.checksum().isEmpty() && !checksum.equals(ref.checksum())) {
      throw BuildErrors.invalidGitSource(
          "checksum mismatch \"" + checksum + "\" != \"" + ref.checksum() + "\"");
    }
    if (checksum.isEmpty()) {
      checksum = ref.checksum();
    }
    if (!checksum.isEmpty() && !checksum.matches("[0-9a-fA-F]+")) {
      throw BuildErrors.invalidGitSource(
          "invalid checksum " + checksum + " for Git URL, expected hex commit hash");
    }
    GitFetcher.Resolved r =
        GitFetcher.resolve(ref, checksum, access(services), services.store().newTempDir("git"));
    key.put(
        "git:" + written,
        r.commit()
            + " subdir="
            + ref.subdir()
            + " keep="
            + keep
            + " submodules="
            + ref.submodules()
            + " mtime="
            + (ref.commitMtime() ? "commit" : "checkout"));
    return new CopySource.Git(written, r, keep);
  }

  static CopyItem item(CopySource.Git g, BuildServices services, List<Path> temps)
      throws IOException, StepFailure, InterruptedException {
    Path dir =
        GitFetcher.checkout(
            g.resolved(),
            access(services),
            services.store().newTempDir("git"),
            services.now(),
            g.keepGitDir());
    temps.add(dir.getParent());
    BuildContext tree = new BuildContext(dir, IgnoreFilter.NONE, FileHashCache.inMemory());
    ContextFile top;
    try {
      top = tree.resolve(".", false).getFirst();
    } catch (ContextException e) {
      throw BuildErrors.downloadedSource(e.getMessage(), e);
    }
    return new CopyItem.Tree(tree, top, ".", IgnoreFilter.NONE, "");
  }

  /** The build's secrets, its {@code --ssh default} agent, the registry settings and the bound. */
  static GitAccess access(BuildServices services) throws IOException {
    Secrets secrets = services.secrets();
    return new GitAccess(
        id -> {
          Optional<Secrets.Source> s = secrets.get(id);
          return s.isPresent() ? Optional.of(s.get().read()) : Optional.empty();
        },
        Optional.ofNullable(services.sshAgents().get("default")),
        RegistryConfig.load(System.getenv()),
        GitAccess.maxBytes(System.getenv()));
  }
}
