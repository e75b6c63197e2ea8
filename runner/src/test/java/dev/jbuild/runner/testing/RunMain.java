package dev.jbuild.runner.testing;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunResult;
import dev.jbuild.runner.Runner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate JVM for clean-up tests: {@code RunMain STORE HOSTDIR SCRIPT DIFFID...} runs SCRIPT
 * with HOSTDIR bind-mounted at /host and exits with its exit code.
 */
public final class RunMain {
  private RunMain() {}

  public static void main(String[] args) throws Exception {
    List<Digest> chain = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      chain.add(Digest.parse(args[i]));
    }
    try (Store store = Store.open(Path.of(args[0]))) {
      RunResult r =
          Runner.create()
              .run(
                  RunRequest.of(store, chain, List.of("/bin/sh", "-c", args[2]))
                      .withMounts(List.of(RunMount.Bind.readWrite(Path.of(args[1]), "/host")))
                      .withOutput((s, l) -> System.out.println(l)));
      System.exit(r.exitCode());
    }
  }
}
