package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.ContainerCopy;
import dev.jbuild.runner.container.Containers;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild cp CONTAINER:SRC DEST|-} and {@code jbuild cp SRC|- CONTAINER:DEST}, as docker cp:
 * the work is the runner's {@code ContainerCopy}.
 */
@Command(
    name = "cp",
    mixinStandardHelpOptions = true,
    description = {
      "Copy files between a container and the local file system (running or stopped).",
      "  jbuild cp CONTAINER:SRC_PATH DEST_PATH|-",
      "  jbuild cp SRC_PATH|- CONTAINER:DEST_PATH",
      "'-' is a tar archive on stdout or stdin."
    })
public final class CpCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;

  @Option(
      names = {"-a", "--archive"},
      description = "Archive mode: keep the source's uid and gid.")
  boolean archive;

  @Option(
      names = {"-L", "--follow-link"},
      description = "Always follow a symlink in SRC_PATH.")
  boolean followLink;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print nothing (the default here).")
  boolean quiet;

  @Parameters(index = "0", paramLabel = "SRC")
  String source;

  @Parameters(index = "1", paramLabel = "DEST")
  String destination;

  /** A container path: {@code CONTAINER:PATH}; null for a local one (docker's splitCpArg). */
  record Ref(String container, String path) {
    static Ref parse(String arg) {
      if (arg.startsWith("/") || arg.startsWith(".")) {
        return null; // an explicit local path, even with a colon in it
      }
      int colon = arg.indexOf(':');
      if (colon <= 0) {
        return null;
      }
      String path = arg.substring(colon + 1);
      return new Ref(arg.substring(0, colon), path.isEmpty() ? "/" : path);
    }
  }

  @Override
  public Integer call() throws Exception {
    Ref from = Ref.parse(source);
    Ref to = Ref.parse(destination);
    if (from != null && to != null) {
      throw new UserException(
          ExitCodes.USAGE, "copying between containers is not supported: " + source);
    }
    if (from == null && to == null) {
      throw new UserException(
          ExitCodes.USAGE, "must specify at least one container source: " + source);
    }
    ContainerCopy.Options o = new ContainerCopy.Options(archive, followLink);
    try (Store store = Store.open(root.storeRoot())) {
      ContainerCopy cp = Containers.open(store, null).copy();
      if (from != null) {
        if (destination.equals("-")) {
          OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
          cp.toTar(from.container(), from.path(), out, o);
          out.flush();
        } else {
          cp.toHost(from.container(), from.path(), Path.of(destination), o);
        }
      } else if (source.equals("-")) {
        cp.fromTar(new BufferedInputStream(System.in, 1 << 16), to.container(), to.path(), o);
      } else {
        cp.fromHost(Path.of(source), to.container(), to.path(), o);
      }
      return ExitCodes.OK;
    } catch (RunnerException e) {
      throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
    } catch (IOException e) {
      throw new UserException(ExitCodes.FAILED, "cp failed: " + e.getMessage(), e);
    }
  }
}
