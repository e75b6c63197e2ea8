package dev.jbuild.builder.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.fakes.Engine;
import dev.jbuild.builder.fakes.Plans;
import dev.jbuild.builder.run.Secrets;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStepTest {
  @TempDir Path dir;
  Engine engine;
  final List<String> output = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    engine = new Engine(dir);
  }

  /** The last step of {@code dockerfile} (a RUN), made after the steps before it applied. */
  private RunStep run(String dockerfile) throws Exception {
    return run(dockerfile, Map.of());
  }

  private RunStep run(String dockerfile, Map<String, String> args) throws Exception {
    return (RunStep) Plans.steps(dockerfile, args, engine.services()).getLast();
  }

  private KeyBuilder key(RunStep step) throws Exception {
    KeyBuilder k = new KeyBuilder("run");
    step.prepare(k, Plans.scratch());
    return k;
  }

  private Digest digest(String dockerfile) throws Exception {
    return key(run(dockerfile)).digest();
  }

  /** Prepares and executes {@code step} on scratch; returns the request the runner got. */
  private Optional<CacheRecord.Layer> execute(RunStep step) throws Exception {
    StageState state = Plans.scratch();
    RunStep.Prepared p = step.prepare(new KeyBuilder("run"), state);
    return step.execute(p, state, new Step.Execution(output::add, null, false));
  }

  @Test
  void theRequestCarriesArgvEnvUserWorkdirAndNetwork() throws Exception {
    execute(
        run(
            "FROM scratch\nARG V=1\nENV A=x\nUSER 1000:1000\nWORKDIR /src\n"
                + "RUN --network=none make V=$V\n"));
    RunRequest r = engine.runner.last();
    assertEquals(List.of("/bin/sh", "-c", "make V=$V"), r.argv());
    assertTrue(r.env().containsAll(List.of("A=x", "V=1")), r.env().toString());
    assertEquals("1000:1000", r.user());
    assertEquals("/src", r.workdir());
    assertEquals(Network.NONE, r.network());
    assertEquals(List.of(), r.layers());
    assertEquals(engine.store, r.store());
  }

  @Test
  void theDiffBecomesTheLayerAndOutputIsPassedOn() throws Exception {
    engine.runner.output("compiling", "done").diff(Map.of("bin/app", "binary"));
    CacheRecord.Layer layer = execute(run("FROM scratch\nRUN make\n")).orElseThrow();
    assertEquals(Map.of("bin/app", "binary"), engine.files(layer));
    assertEquals(List.of("compiling", "done"), output);
  }

  @Test
  void aCommandThatChangedNothingGivesNoLayer() throws Exception {
    engine.runner.diff(Map.of());
    assertTrue(execute(run("FROM scratch\nRUN true\n")).isEmpty());
  }

  @Test
  void aNonZeroExitFailsWithBuildKitsMessageAndTheLastLines() throws Exception {
    engine.runner.exitCode(3).output("first", "error: boom");
    StepFailure f =
        assertThrows(
            StepFailure.class, () -> execute(run("FROM scratch\nRUN [\"make\", \"all\"]\n")));
    assertTrue(
        f.getMessage()
            .startsWith("process \"make all\" did not complete successfully: exit code: 3"),
        f.getMessage());
    assertEquals(List.of("first", "error: boom"), f.lastLines());
    assertEquals(3, f.exitCode());
  }

  @Test
  void mountsReachTheRequestWithTargetsBelowTheWorkdir() throws Exception {
    engine.write("pom.xml", "<project/>");
    engine.write("src/Main.java", "class Main {}");
    execute(
        run(
            "FROM scratch\nWORKDIR /app\n"
                + "RUN --mount=type=bind,source=pom.xml,target=pom.xml"
                + " --mount=type=bind,source=src,target=/s"
                + " --mount=type=tmpfs,target=/tmp/t,size=1024"
                + " --mount=type=cache,target=/root/.m2,id=m2 mvn package\n"));
    List<RunMount> m = engine.runner.last().mounts();
    assertEquals(4, m.size(), m.toString());
    RunMount.Bind pom = (RunMount.Bind) m.get(0);
    assertEquals("/app/pom.xml", pom.target());
    assertEquals(engine.context.resolve("pom.xml"), pom.source());
    assertTrue(pom.readOnly());
    RunMount.Bind src = (RunMount.Bind) m.get(1);
    assertEquals(engine.context.resolve("src"), src.source());
    assertEquals(new RunMount.Tmpfs("/tmp/t", 1024, 01777), m.get(2));
    RunMount.Bind cache = (RunMount.Bind) m.get(3);
    assertEquals("/root/.m2", cache.target());
    assertTrue(cache.source().startsWith(engine.store.root()), cache.source().toString());
    assertTrue(!cache.readOnly());
  }

  @Test
  void secretsAndHeredocsAreBoundAsFilesAndRemovedAfterwards() throws Exception {
    Path value = Files.writeString(dir.resolve("token"), "s3cret");
    engine.secrets = new Secrets(Map.of("tok", new Secrets.Source.FromFile(value)));
    execute(
        run(
            "FROM scratch\nRUN --mount=type=secret,id=tok,target=/run/t"
                + " --mount=type=secret,id=tok,env=TOKEN <<EOF\n#!/bin/sh\necho hi\nEOF\n"));
    Map<String, String> bound = engine.runner.boundFiles(0);
    assertEquals("s3cret", bound.get("/run/t"));
    assertTrue(engine.runner.last().env().contains("TOKEN=s3cret"));
    for (RunMount m : engine.runner.last().mounts()) {
      if (m instanceof RunMount.Bind b && b.source().startsWith(engine.store.root())) {
        assertTrue(Files.notExists(b.source()), b.source() + " left behind");
      }
    }
    assertEquals("#!/bin/sh\necho hi\n", bound.get("/dev/pipes/EOF"));
    assertEquals("/dev/pipes/EOF", engine.runner.last().argv().getLast());
  }

  @Test
  void aRequiredSecretOrSshAgentThatIsMissingFails() throws Exception {
    StepFailure s =
        assertThrows(
            StepFailure.class,
            () -> execute(run("FROM scratch\nRUN --mount=type=secret,id=x,required true\n")));
    assertEquals("secret x: not provided (use --secret id=x,src=PATH)", s.getMessage());
    StepFailure ssh =
        assertThrows(
            StepFailure.class,
            () -> execute(run("FROM scratch\nRUN --mount=type=ssh,required true\n")));
    assertEquals("no SSH agent forwarded for id default (use --ssh default)", ssh.getMessage());
    assertTrue(engine.runner.requests().isEmpty());
  }

  @Test
  void anOptionalSecretThatIsMissingIsLeftOut() throws Exception {
    execute(run("FROM scratch\nRUN --mount=type=secret,id=x true\n"));
    assertEquals(List.of(), engine.runner.last().mounts());
  }

  @Test
  void theKeyFollowsTheCommandEnvUserWorkdirAndNetwork() throws Exception {
    Digest base = digest("FROM scratch\nRUN make\n");
    assertEquals(base, digest("FROM scratch\nRUN make\n"));
    assertNotEquals(base, digest("FROM scratch\nRUN make all\n"));
    assertNotEquals(base, digest("FROM scratch\nENV A=1\nRUN make\n"));
    assertNotEquals(base, digest("FROM scratch\nUSER 1\nRUN make\n"));
    assertNotEquals(base, digest("FROM scratch\nWORKDIR /x\nRUN make\n"));
    assertNotEquals(base, digest("FROM scratch\nRUN --network=none make\n"));
    assertEquals(base, digest("FROM scratch\nLABEL a=b\nRUN make\n"));
  }

  @Test
  void aContextBindEntersTheKeyByContentAndACacheMountDoesNot() throws Exception {
    engine.write("src/a.c", "int a;");
    String df =
        "FROM scratch\nRUN --mount=type=bind,source=src,target=/s --mount=type=cache,target=/c make\n";
    KeyBuilder first = key(run(df));
    assertEquals(first.digest(), key(run(df)).digest());
    Files.writeString(engine.context.resolve("src/a.c"), "int b;");
    KeyBuilder changed = key(run(df));
    assertNotEquals(first.components().get("mount:0"), changed.components().get("mount:0"));
    assertTrue(
        changed.components().containsKey("mount:0:src/a.c"), changed.components().toString());
    assertEquals(first.components().get("mount:1"), changed.components().get("mount:1"));
  }

  @Test
  void aBindFromAStageEntersTheKeyByThatStagesKey() throws Exception {
    engine.stages.put(0, Engine.emptyStage("one"));
    String df = "FROM scratch AS a\nFROM scratch\nRUN --mount=type=bind,from=a,target=/a ls /a\n";
    Digest one = digest(df);
    engine.stages.put(0, Engine.emptyStage("two"));
    assertNotEquals(one, digest(df));
    execute(run(df));
    RunMount.Bind b = (RunMount.Bind) engine.runner.last().mounts().getFirst();
    assertEquals("/a", b.target());
    assertTrue(b.readOnly());
  }

  @Test
  void aMountTargetResolvingToRootIsRefused() throws Exception {
    StepFailure f =
        assertThrows(
            StepFailure.class,
            () -> key(run("FROM scratch\nWORKDIR /w\nRUN --mount=type=tmpfs,target=.. true\n")));
    assertEquals("invalid RUN --mount target \"..\": it resolves to /", f.getMessage());
  }

  @Test
  void hostNetworkNeedsTheEntitlement() throws Exception {
    StepFailure f =
        assertThrows(StepFailure.class, () -> run("FROM scratch\nRUN --network=host true\n"));
    assertTrue(f.getMessage().contains("network.host entitlement"), f.getMessage());
    engine.allowHostNetwork = true;
    execute(run("FROM scratch\nRUN --network=host true\n"));
    assertEquals(Network.HOST, engine.runner.last().network());
  }

  @Test
  void aContextBindWithoutAContextSaysSo() throws Exception {
    engine.withoutContext();
    StepFailure f =
        assertThrows(
            StepFailure.class,
            () -> key(run("FROM scratch\nRUN --mount=type=bind,target=/s true\n")));
    assertEquals(
        "RUN --mount=type=bind needs a build context, but the Dockerfile came without one",
        f.getMessage());
  }

  @Test
  void preparingTwiceGivesTheSameKeyAndExecutingUsesOnlyThePreparedValue() throws Exception {
    engine.stages.put(0, Engine.emptyStage("one"));
    RunStep step =
        run("FROM scratch AS a\nFROM scratch\nRUN --mount=type=bind,from=a,target=/a true\n");
    KeyBuilder k1 = new KeyBuilder("run");
    RunStep.Prepared p1 = step.prepare(k1, Plans.scratch());
    KeyBuilder k2 = new KeyBuilder("run");
    RunStep.Prepared p2 = step.prepare(k2, Plans.scratch());
    assertEquals(k1.digest(), k2.digest());
    assertEquals(p1, p2);
    assertEquals("/a", p1.mounts().getFirst().target());
    assertTrue(p1.mounts().getFirst().image().isPresent());
  }
}
