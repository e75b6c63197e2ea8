package dev.jbuild.builder.errors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every error message of the build engine, in one place so tests assert the same text: a step the
 * Dockerfile got wrong or that failed ({@link StepFailure}, shown with the step's line), and what
 * went wrong reading or writing files ({@link IOException}). Docker's and BuildKit's words where
 * they have some, so scripts that grep for them keep working.
 */
public final class BuildErrors {
  private BuildErrors() {}

  // --- the build and its stages

  public static StepFailure notAStep(String instruction) {
    return new StepFailure(instruction + " is not a step");
  }

  public static StepFailure stageNotInBuild(int index) {
    return new StepFailure("stage " + index + " is not part of this build");
  }

  /** A stage this one reads from failed (its own failure is the one the build reports). */
  public static StepFailure stageFailed(int index, Throwable cause) {
    String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new StepFailure("stage " + index + " failed: " + m, cause);
  }

  // --- platforms

  /** A RUN for a platform this machine cannot run: no binfmt_misc handler for it. */
  public static StepFailure noEmulator(
      dev.jbuild.layercache.model.Platform platform,
      dev.jbuild.layercache.model.Platform host,
      Path binfmtDir,
      java.util.Optional<String> unusableHandler) {
    String why =
        unusableHandler
            .map(
                h ->
                    "its binfmt_misc handler "
                        + binfmtDir.resolve(h)
                        + " is disabled or registered without the F flag")
            .orElse("no binfmt_misc handler for it is registered in " + binfmtDir);
    return new StepFailure(
        "cannot run a "
            + platform
            + " binary on this "
            + host
            + " machine: "
            + why
            + "; install QEMU user-mode emulation (apt-get install qemu-user-static"
            + " binfmt-support) or build without this platform");
  }

  /** A base image of another platform than the stage's, when a platform was asked for. */
  public static StepFailure wrongBasePlatform(
      String reference,
      dev.jbuild.layercache.model.Platform wanted,
      dev.jbuild.layercache.model.Platform has) {
    return new StepFailure(
        "image " + reference + " has no variant for platform " + wanted + " (it has: " + has + ")");
  }

  /** A multi-platform image in the store without the stage's platform. */
  public static StepFailure noPlatformInIndex(
      String reference, dev.jbuild.layercache.model.Platform wanted, List<String> has) {
    return new StepFailure(
        "image "
            + reference
            + " has no variant for platform "
            + wanted
            + " (it has: "
            + String.join(", ", has)
            + ")");
  }

  /** The same step failed in another part of the build (another platform), which reports it. */
  public static StepFailure sharedStepFailed(Throwable cause) {
    String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new StepFailure(
        "the same step failed in another stage or platform of this build: " + m, cause);
  }

  public static StepFailure invalidImageReference(String reference, String why) {
    return new StepFailure("invalid image reference \"" + reference + "\": " + why);
  }

  /** A {@code --build-context NAME=oci-layout://...} that cannot be read or has no such image. */
  public static StepFailure ociLayoutContext(String name, Object layout, String why) {
    return new StepFailure("--build-context " + name + "=" + layout + ": " + why);
  }

  public static IOException inconsistentImage(Object manifest, int layers, int diffIds) {
    return new IOException(
        "image "
            + manifest
            + " is inconsistent: "
            + layers
            + " layers for "
            + diffIds
            + " diff IDs");
  }

  public static StepFailure needsContext(String what) {
    return new StepFailure(what + " needs a build context, but the Dockerfile came without one");
  }

  // --- RUN

  /** BuildKit's entitlement check, with how to grant it. */
  public static StepFailure insecureNotAllowed() {
    return new StepFailure(
        "RUN --security=insecure: security.insecure is not allowed (build with --allow"
            + " security.insecure)");
  }

  public static StepFailure hostNetworkNotAllowed() {
    return new StepFailure(
        "RUN --network=host needs the network.host entitlement: build with --allow"
            + " network.host (or --network host)");
  }

  public static StepFailure unsupportedNetwork(String network) {
    return new StepFailure("unsupported RUN --network=" + network);
  }

  public static StepFailure unsupportedSecurity(String security) {
    return new StepFailure(
        "RUN --security=" + security + " is not supported: jbuild runs every step sandboxed");
  }

  public static StepFailure mountTargetIsRoot(String target) {
    return new StepFailure("invalid RUN --mount target \"" + target + "\": it resolves to /");
  }

  /** A bind mount's source is not in the context ({@code why} names it). */
  public static StepFailure mountSource(String why) {
    return new StepFailure("RUN --mount source " + why);
  }

  public static StepFailure mountSourceNotFound(String source, String where) {
    return new StepFailure("RUN --mount source " + source + ": not found in " + where);
  }

  public static StepFailure secretNotProvided(String id) {
    return new StepFailure("secret " + id + ": not provided (use --secret id=" + id + ",src=PATH)");
  }

  public static StepFailure sshAgentNotForwarded(String id) {
    return new StepFailure("no SSH agent forwarded for id " + id + " (use --ssh " + id + ")");
  }

  /**
   * A RUN whose command exited non-zero (BuildKit's words).
   *
   * @param hint appended as is (empty, or a sentence in parentheses)
   */
  public static StepFailure processFailed(
      List<String> argv, int exitCode, String hint, List<String> lastLines) {
    return new StepFailure(
        "process \""
            + String.join(" ", argv)
            + "\" did not complete successfully: exit code: "
            + exitCode
            + hint,
        lastLines,
        exitCode);
  }

  // --- COPY, ADD, WORKDIR

  /** A COPY or ADD source that does not resolve ({@code why} names it). */
  public static StepFailure copySource(String why) {
    return new StepFailure(why);
  }

  /** A COPY --from source missing in the stage or image it names. */
  public static StepFailure copySourceInImage(String why) {
    return new StepFailure(why.replace("build context", "source image"));
  }

  public static StepFailure noSuchChownUser(String name) {
    return new StepFailure(
        "unable to convert uid/gid chown string to host mapping: can't find uid for user "
            + name
            + ": no such user: "
            + name);
  }

  public static StepFailure noSuchChownGroup(String name) {
    return new StepFailure(
        "unable to convert uid/gid chown string to host mapping: can't find gid for group "
            + name
            + ": no such group: "
            + name);
  }

  public static StepFailure workdirNotDirectory(String path) {
    return new StepFailure("cannot create WORKDIR " + path + ": not a directory");
  }

  public static StepFailure userNotFound(String user) {
    return new StepFailure("unable to find user " + user + ": no matching entries in passwd file");
  }

  public static IOException downloadedSource(String why, Throwable cause) {
    return new IOException(why, cause);
  }

  public static IOException socketSource(Path path) {
    return new IOException("cannot copy " + path + ": a socket");
  }

  /** A later COPY source's file where an earlier one put a directory (BuildKit's words). */
  public static IOException replaceDirectoryWithFile(String path) {
    return new IOException("cannot replace to directory " + path + " with file");
  }

  /** A later COPY source's directory where an earlier one put a file (BuildKit's words). */
  public static IOException copyToNonDirectory(String path) {
    return new IOException("cannot copy to non-directory: " + path);
  }

  public static IOException tooManySymlinks(String path) {
    return new IOException(path + ": too many levels of symbolic links");
  }

  public static IOException noLongerRegularFile(Path path) {
    return new IOException(path + " is no longer a regular file");
  }

  public static IOException invalidUrl(String url, String why) {
    return new IOException("invalid URL " + url + ": " + why);
  }

  /** A git source that cannot be resolved or fetched (the remote without its password). */
  public static IOException gitFetch(String remote, String why, Throwable cause) {
    return new IOException("git source " + remote + ": " + why, cause);
  }

  /** A git source written wrong (BuildKit's grammar). */
  public static StepFailure invalidGitSource(String why) {
    return new StepFailure(why);
  }

  /** A remote source larger than JBUILD_MAX_REMOTE_BYTES allows. */
  public static IOException remoteTooLarge(String remote, long max) {
    return new IOException(remote + " is larger than " + max + " bytes (JBUILD_MAX_REMOTE_BYTES)");
  }

  /** A remote build context that cannot be used. */
  public static IOException remoteContext(String url, String why) {
    return new IOException("remote context " + url + ": " + why);
  }

  public static IOException cannotUnpack(Path archive, IOException cause) {
    return new IOException(
        "cannot unpack " + archive.getFileName() + ": " + cause.getMessage(), cause);
  }

  // --- secrets

  public static IllegalArgumentException invalidSecret(String spec, String why) {
    return new IllegalArgumentException("invalid --secret '" + spec + "': " + why);
  }

  public static IllegalArgumentException unreadableSecret(String id, Path path) {
    return new IllegalArgumentException("secret " + id + ": cannot read " + path);
  }

  public static IOException secretVariableUnset(String variable) {
    return new IOException("secret environment variable " + variable + " is not set");
  }

  public static IOException secretMissing(String id) {
    return new IOException("secret " + id + " not provided");
  }

  // --- scratch trees

  public static IOException stillMounted(Path dir) {
    return new IOException(dir + " is still mounted; not deleting through it");
  }

  public static IOException notEmpty(Path dir, Throwable cause) {
    return new IOException("cannot delete " + dir + ": not empty", cause);
  }
}
