package dev.jbuild.cli;

import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.layercache.fs.ConfinedFileException;
import dev.jbuild.layercache.fs.RootDir;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a Dockerfile, bounded to {@link #MAX_BYTES}. One found in a build context (the default
 * {@code CONTEXT/Dockerfile}, a {@code -f} name relative to the context, the Dockerfile of a tar
 * context) is hostile input: it is read through the confined toolkit, so a symlink is followed only
 * inside the context (as BuildKit, which sees the context and nothing else) and only a regular file
 * is read. A path the user names on the command line is theirs and may be anything readable (a pipe
 * from {@code -f <(...)} too).
 */
final class DockerfileSource {
  /** The largest Dockerfile read (a 5,000-line Dockerfile is about 300 KiB). */
  static final int MAX_BYTES = 16 * 1024 * 1024;

  private DockerfileSource() {}

  /** The Dockerfile {@code rel} inside context directory {@code ctx}; {@code name} for messages. */
  static String fromContext(Path ctx, String rel, String name) {
    Optional<byte[]> bytes;
    try (RootDir root = RootDir.open(ctx)) {
      bytes = root.readFile(rel, MAX_BYTES);
    } catch (ConfinedFileException e) {
      throw new UserException(ExitCodes.FAILED, "Dockerfile " + name + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UserException(
          ExitCodes.FAILED, "cannot read Dockerfile " + name + ": " + e.getMessage(), e);
    }
    return Dockerfiles.text(
        bytes.orElseThrow(
            () -> new UserException(ExitCodes.NOT_FOUND, "Dockerfile not found: " + name)));
  }

  /** The file the user named, at most {@link #MAX_BYTES}. */
  static String fromUserPath(Path file, String name) {
    if (Files.isDirectory(file)) {
      throw new UserException(ExitCodes.NOT_FOUND, "Dockerfile " + name + " is a directory");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return fromStream(in, name);
    } catch (NoSuchFileException e) {
      throw new UserException(ExitCodes.NOT_FOUND, "Dockerfile not found: " + name);
    } catch (IOException e) {
      throw new UserException(
          ExitCodes.FAILED, "cannot read Dockerfile " + name + ": " + e.getMessage(), e);
    }
  }

  /** A Dockerfile streamed in (stdin), at most {@link #MAX_BYTES}. */
  static String fromStream(InputStream in, String name) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new UserException(
          ExitCodes.FAILED, "Dockerfile " + name + " is larger than " + MAX_BYTES + " bytes");
    }
    return Dockerfiles.text(bytes);
  }
}
