package dev.jbuild.grammar.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.EnvInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.KeyValue;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.WorkdirInstruction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StageScopeTest {
  private static final PlatformSpec AMD64 = PlatformSpec.parse("linux/amd64");

  /** Walks the only stage of {@code dockerfile} with {@code buildArgs}; returns the final scope. */
  private static StageScope walk(
      String dockerfile, Map<String, String> buildArgs, List<String> imageEnv) {
    BuildPlan plan =
        BuildGraph.plan(
            Dockerfiles.parse("Dockerfile", dockerfile),
            new PlanOptions(buildArgs, Optional.empty(), AMD64, AMD64));
    Stage stage = plan.target();
    StageScope scope = plan.scope(stage, imageEnv);
    for (Instruction i : stage.instructions()) {
      scope = scope.apply(i);
    }
    return scope;
  }

  @Test
  void argValueComesFromBuildArgThenDefaultThenGlobal() {
    StageScope s =
        walk(
            "ARG G=global\nARG H=h\nFROM scratch\nARG A=default B=default G H=stage\n",
            Map.of("A", "cli"),
            List.of());
    assertEquals("cli", s.lookup("A"));
    assertEquals("default", s.lookup("B"));
    assertEquals("global", s.lookup("G"));
    assertEquals("stage", s.lookup("H"));
  }

  @Test
  void globalArgsAreInvisibleUntilRedeclared() {
    StageScope s = walk("ARG V=1\nFROM scratch\nENV X=${V:-unset}\n", Map.of(), List.of());
    assertEquals("unset", s.lookup("X"));
    assertNull(s.lookup("V"));
  }

  @Test
  void platformArgsNeedAnArgLine() {
    StageScope s =
        walk("FROM scratch\nENV A=${TARGETARCH:-none}\nARG TARGETARCH\n", Map.of(), List.of());
    assertEquals("none", s.lookup("A"));
    assertEquals("amd64", s.lookup("TARGETARCH"));
  }

  @Test
  void theLaterOfEnvAndArgWinsButOnlyEnvReachesTheConfig() {
    // BuildKit: ARG adds to the build state's env, so it overrides an earlier ENV for RUN and
    // for expansion; an ARG without a value overrides nothing.
    StageScope s =
        walk(
            "FROM scratch\nENV X=env\nARG X=arg\nARG Y=arg\nENV Y=env2\nENV Z=z\nARG Z\n"
                + "ARG PATH=/arg/bin\n",
            Map.of("X", "cli"),
            List.of("PATH=/usr/bin"));
    assertEquals("cli", s.lookup("X"));
    assertEquals("env2", s.lookup("Y"));
    assertEquals("z", s.lookup("Z"));
    assertEquals(List.of("PATH=/usr/bin", "X=env", "Y=env2", "Z=z"), s.env());
    assertEquals(List.of("PATH=/arg/bin", "X=cli", "Y=env2", "Z=z"), s.runEnv());
  }

  @Test
  void baseImageEnvIsVisibleAndReplacedInPlace() {
    StageScope s =
        walk(
            "FROM scratch\nENV PATH=/opt/bin:$PATH LANG=C.UTF-8\n",
            Map.of(),
            List.of("PATH=/usr/bin", "HOME=/root"));
    assertEquals(List.of("PATH=/opt/bin:/usr/bin", "HOME=/root", "LANG=C.UTF-8"), s.env());
  }

  @Test
  void runEnvHasArgsWithValuesAndUndeclaredProxies() {
    Map<String, String> cli = new LinkedHashMap<>();
    cli.put("HTTP_PROXY", "http://p:3128");
    cli.put("no_proxy", "localhost");
    cli.put("https_proxy", "http://declared");
    cli.put("OTHER", "not-declared");
    StageScope s = walk("FROM scratch\nARG A=1 NOVALUE https_proxy\nENV E=e\n", cli, List.of());
    assertEquals(
        List.of(
            "A=1",
            "https_proxy=http://declared",
            "E=e",
            "HTTP_PROXY=http://p:3128",
            "no_proxy=localhost"),
        s.runEnv());
    Map<String, String> args = s.args();
    assertEquals(List.of("A", "NOVALUE", "https_proxy"), List.copyOf(args.keySet()));
    assertNull(args.get("NOVALUE"));
    assertEquals(Map.of("HTTP_PROXY", "http://p:3128", "no_proxy", "localhost"), s.proxyEnv());
  }

  @Test
  void runCreatedByListsTheStageArgs() {
    StageScope s = walk("FROM scratch\nARG A=1 B\nENV A=env\n", Map.of(), List.of());
    assertEquals(
        "RUN |2 A=env B= /bin/sh -c make", s.runCreatedBy(List.of("/bin/sh", "-c", "make")));
    StageScope none = walk("FROM scratch\n", Map.of(), List.of());
    assertEquals("RUN /bin/sh -c make", none.runCreatedBy(List.of("/bin/sh", "-c", "make")));
  }

  @Test
  void envPairsSeeTheScopeBeforeTheInstruction() {
    StageScope s = walk("FROM scratch\nENV a=hello\nENV a=bye b=$a\n", Map.of(), List.of());
    assertEquals("hello", s.lookup("b"));
  }

  @Test
  void applyDoesNotChangeTheScopeItIsCalledOn() {
    StageScope empty = StageScope.of(List.of(), Map.of(), Map.of(), '\\');
    EnvInstruction env =
        (EnvInstruction)
            Dockerfiles.parse("Dockerfile", "FROM scratch\nENV A=1\n")
                .stages()
                .get(0)
                .instructions()
                .get(0);
    StageScope after = empty.apply(env);
    assertNull(empty.lookup("A"));
    assertEquals("1", after.lookup("A"));
  }

  @Test
  void expandReturnsNewRecordsAndLeavesRunCommandsAlone() {
    var df =
        Dockerfiles.parse(
            "Dockerfile",
            "FROM scratch\nARG D=/srv\nWORKDIR $D/app\n"
                + "RUN --mount=type=cache,target=$D/cache echo $D\n"
                + "COPY --chown=$U:$U <<EOF <<'RAW' $D/\nv=$D\nEOF\nv=$D\nRAW\n");
    StageScope s = StageScope.of(List.of(), Map.of(), Map.of(), '\\');
    var body = df.stages().get(0).instructions();
    s = s.apply(body.get(0));
    WorkdirInstruction w = (WorkdirInstruction) s.expand(body.get(1));
    assertEquals("/srv/app", w.path());
    assertEquals("$D/app", ((WorkdirInstruction) body.get(1)).path());
    RunInstruction run = (RunInstruction) s.expand(body.get(2));
    assertEquals(Optional.of("/srv/cache"), run.mounts().get(0).target());
    assertEquals(List.of("/bin/sh", "-c", "echo $D"), run.argv(List.of("/bin/sh", "-c")));
    CopyInstruction copy = (CopyInstruction) s.expand(body.get(3));
    assertEquals("/srv/", copy.destination());
    assertEquals(Optional.of(":"), copy.chown());
    assertEquals("v=/srv\n", copy.heredocs().get(0).body());
    assertEquals("v=$D\n", copy.heredocs().get(1).body());
  }

  @Test
  void expansionErrorsNameTheInstruction() {
    var df = Dockerfiles.parse("Dockerfile", "FROM scratch\n  ENV A=${X:?required}\n");
    StageScope s = StageScope.of(List.of(), Map.of(), Map.of(), '\\');
    DockerfileException e =
        assertThrows(
            DockerfileException.class, () -> s.expand(df.stages().get(0).instructions().get(0)));
    assertEquals(2, e.line());
    assertEquals(3, e.column());
    assertTrue(e.getMessage().contains("X: required"), e.getMessage());
    assertTrue(e.render().contains("  ENV A=${X:?required}"), e.render());
  }

  @Test
  void backtickEscapeApplies() {
    StageScope s = StageScope.of(List.of("A=x"), Map.of(), Map.of(), '`');
    assertEquals("C:\\dir\\x $A", s.expandWord("C:\\dir\\$A `$A"));
    assertEquals(List.of(new KeyValue("K", "v")), List.of(new KeyValue("K", "v")));
  }
}
