package dev.jbuild.runner.container;

import dev.jbuild.runner.runc.OciRuntime;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a container's {@link ContainerMonitor}: jbuild's own java and class path, in a session of
 * its own (a terminal's signals and jbuild's exit do not reach it), with a small heap, a client
 * compiler and the serial collector (about 40 MB resident), stdin /dev/null, output discarded (the
 * container's goes to its log).
 */
final class Monitors {
  private Monitors() {}

  static Process spawn(Path cdir, OciRuntime rt, Path gcRoot, Path nameFile) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("/usr/bin/setsid");
    cmd.add(java());
    cmd.addAll(
        List.of(
            "-Xrs",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xshare:auto",
            "-XX:-UsePerfData",
            "-Xss512k",
            "-Xmx32m",
            "-XX:CICompilerCount=1",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            ContainerMonitor.class.getName(),
            cdir.toString(),
            rt.binary().toString(),
            rt.stateRoot().toString(),
            gcRoot.toString(),
            nameFile.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.appendTo(cdir.resolve("monitor.log").toFile()));
    return pb.start();
  }

  private static String java() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
