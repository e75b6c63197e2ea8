package dev.jbuild.builder.remote;

import dev.jbuild.builder.copy.AddSources;
import dev.jbuild.builder.errors.BuildErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Remote build contexts, as docker build and buildx take them: a git URL (BuildKit's rules, plus
 * {@code github.com/owner/repo}) is checked out (its {@code #ref:subdir}); any other http(s) URL is
 * downloaded and, when it is an archive (tar, gzip, bzip2, xz, zstd; by content), unpacked as the
 * context, else the file is the Dockerfile and the context is empty.
 */
public final class RemoteContexts {
  private RemoteContexts() {}

  /**
   * A fetched remote context.
   *
   * @param dir the context directory, empty for a lone Dockerfile
   * @param dockerfile the Dockerfile's text when the URL was a plain file
   */
  public record Fetched(Optional<Path> dir, Optional<String> dockerfile) {}

  /** Whether {@code arg} names a remote context rather than a local directory. */
  public static boolean isRemote(String arg) {
    String s = arg.toLowerCase(Locale.ROOT);
    return s.startsWith("http://")
        || s.startsWith("https://")
        || GitRef.parse(arg, true) instanceof GitRef.Git
        || GitRef.parse(arg, true) instanceof GitRef.Invalid;
  }

  /** Fetches the remote context {@code url} into a new directory under {@code temp}. */
  public static Fetched fetch(String url, GitAccess access, Path temp, Instant now)
      throws IOException, InterruptedException {
    switch (GitRef.parse(url, true)) {
      case GitRef.Git g -> {
        GitFetcher.Resolved r = GitFetcher.resolve(g.ref(), g.ref().checksum(), access, temp);
        return new Fetched(
            Optional.of(
                GitFetcher.checkout(r, access, temp, now, g.ref().keepGitDir().orElse(false))),
            Optional.empty());
      }
      case GitRef.Invalid bad -> throw BuildErrors.remoteContext(url, bad.why());
      case GitRef.NotGit n -> {}
    }
    AddSources.Download d = AddSources.fetch(url, temp, Optional.empty(), access.maxBytes());
    if (AddSources.isArchive(d.file())) {
      Path dir = AddSources.extract(d.file(), temp);
      Files.deleteIfExists(d.file());
      return new Fetched(Optional.of(dir), Optional.empty());
    }
    String text;
    try (InputStream in = Files.newInputStream(d.file())) {
      byte[] b = in.readNBytes(MAX_DOCKERFILE + 1);
      if (b.length > MAX_DOCKERFILE) {
        throw BuildErrors.remoteContext(
            url, "neither an archive nor a Dockerfile (larger than " + MAX_DOCKERFILE + " bytes)");
      }
      text = new String(b, StandardCharsets.UTF_8);
    }
    Files.deleteIfExists(d.file());
    return new Fetched(Optional.empty(), Optional.of(text));
  }

  /** The largest file taken as a Dockerfile: {@value} bytes. */
  static final int MAX_DOCKERFILE = 16 << 20;
}
