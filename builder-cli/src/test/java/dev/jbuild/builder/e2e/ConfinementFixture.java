package dev.jbuild.builder.e2e;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import dev.jbuild.testing.Victim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What the confinement ITs share: a store with busybox in a work directory of the class's own, and
 * for each test a fresh context directory and a {@link Victim} directory outside the store, which
 * the test checks is untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConfinementFixture {
  private final String prefix;
  Path work;
  Path root;
  Path ctx;
  Victim victim;

  /** {@code prefix} names the class's temp work directory. */
  ConfinementFixture(String prefix) {
    this.prefix = prefix;
  }

  @BeforeAll
  void storeWithBusybox() throws IOException {
    work = Files.createTempDirectory(prefix);
    root = work.resolve("store");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
  }

  @AfterAll
  void removeStore() throws IOException {
    CorpusCases.deleteTree(work);
  }

  @BeforeEach
  void contextAndVictim() throws IOException {
    ctx = Files.createTempDirectory(work, "ctx");
    victim = Victim.create();
  }

  @AfterEach
  void closeVictim() throws IOException {
    victim.close();
  }

  /** {@code jbuild --root STORE ARGS} in this JVM. */
  CorpusCases.Outcome jbuild(String... args) {
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    return CorpusCases.jbuild(all.toArray(String[]::new));
  }

  /** Writes {@code dockerfile} into the context and builds it: {@code build -q EXTRA CTX}. */
  CorpusCases.Outcome build(String dockerfile, String... extra) throws IOException {
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    List<String> all = new ArrayList<>(List.of("build", "-q"));
    all.addAll(List.of(extra));
    all.add(ctx.toString());
    return jbuild(all.toArray(String[]::new));
  }
}
