package dev.jbuild.builder.steps;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.copy.AddSources;
import java.util.List;
import java.util.Optional;

/** A COPY or ADD source as written, with what {@link CopyStep#prepare} resolved it to. */
public sealed interface CopySource {
  /** The source as the Dockerfile wrote it. */
  String written();

  /**
   * Files of the build context.
   *
   * @param files what the source matched, in order (empty for a wildcard matching nothing)
   */
  record Context(String written, BuildContext context, List<ContextFile> files)
      implements CopySource {
    public Context {
      files = List.copyOf(files);
    }
  }

  /**
   * An ADD URL.
   *
   * @param download the file fetched to key it by content; empty when --checksum keyed it, so it is
   *     fetched on a miss only
   */
  record Url(String written, Optional<AddSources.Download> download) implements CopySource {}

  /**
   * An ADD git source, resolved to its commit (the key) without fetching it.
   *
   * @param keepGitDir whether the checkout keeps its .git directory
   */
  record Git(
      String written, dev.jbuild.builder.remote.GitFetcher.Resolved resolved, boolean keepGitDir)
      implements CopySource {}
}
