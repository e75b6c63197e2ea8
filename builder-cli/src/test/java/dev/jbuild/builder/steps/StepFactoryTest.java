package dev.jbuild.builder.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.fakes.Engine;
import dev.jbuild.builder.fakes.Plans;
import dev.jbuild.layercache.model.ContainerConfig;
import dev.jbuild.layercache.model.ImageConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepFactoryTest {
  @TempDir Path dir;
  Engine engine;

  @BeforeEach
  void setUp() throws Exception {
    engine = new Engine(dir);
  }

  private List<Step<?>> steps(String dockerfile) throws Exception {
    return Plans.steps(dockerfile, Map.of(), engine.services());
  }

  private ContainerConfig config(String dockerfile) throws Exception {
    return Plans.config(dockerfile, engine.services()).configOrEmpty();
  }

  @Test
  void eachInstructionKindGetsItsStep() throws Exception {
    List<Step<?>> s =
        steps(
            "FROM scratch\nRUN true\nCOPY a /\nADD b /\nWORKDIR /w\nENV A=1\nLABEL l=1\n"
                + "USER u\nCMD [\"c\"]\n");
    assertInstanceOf(RunStep.class, s.get(0));
    assertInstanceOf(CopyStep.class, s.get(1));
    assertEquals("copy", s.get(1).kind());
    assertEquals("add", s.get(2).kind());
    assertInstanceOf(WorkdirStep.class, s.get(3));
    assertEquals(
        List.of("env", "label", "user", "cmd"), s.subList(4, 8).stream().map(Step::kind).toList());
    assertTrue(s.subList(4, 8).stream().noneMatch(Step::producesLayer));
  }

  @Test
  void historyTextsAreBuildKits() throws Exception {
    List<Step<?>> s =
        steps(
            "FROM scratch\nARG V=2\nRUN echo $V\nCOPY --chown=1:2 a b /d/\nENV A=1 B=\"x y\"\n"
                + "EXPOSE 80/tcp 443\nCMD echo hi\nENTRYPOINT [\"/e\"]\n"
                + "HEALTHCHECK --interval=5s CMD true\nWORKDIR sub\n");
    assertEquals(
        List.of(
            "ARG V=2",
            "RUN |1 V=2 /bin/sh -c echo $V",
            "COPY --chown=1:2 a b /d/",
            "ENV A=1 B=x y",
            "EXPOSE 80/tcp 443/tcp",
            "CMD [\"/bin/sh\" \"-c\" \"echo hi\"]",
            "ENTRYPOINT [\"/e\"]",
            "HEALTHCHECK --interval=5000ms [\"CMD-SHELL\" \"true\"]",
            "WORKDIR /sub"),
        s.stream().map(Step::createdBy).toList());
  }

  @Test
  void envLabelsPortsAndVolumesLandInTheConfigSorted() throws Exception {
    ContainerConfig c =
        config(
            "FROM scratch\nENV B=2 A=1\nLABEL z=1 a=2\nEXPOSE 8080 80\nVOLUME /v2 /v1\n"
                + "USER app:app\nWORKDIR /srv\nWORKDIR data\nSTOPSIGNAL SIGTERM\n");
    assertEquals(List.of("B=2", "A=1"), Plans.ownEnv(c.env()));
    assertEquals(List.of("a", "z"), List.copyOf(c.labels().keySet()));
    assertEquals(List.of("80/tcp", "8080/tcp"), List.copyOf(c.exposedPorts()));
    assertEquals(List.of("/v1", "/v2"), List.copyOf(c.volumes()));
    assertEquals("app:app", c.user());
    assertEquals("/srv/data", c.workingDir());
    assertEquals("SIGTERM", c.stopSignal());
  }

  @Test
  void entrypointDropsAnInheritedCmdButNotOneOfThisStage() throws Exception {
    ImageConfig base = Plans.scratch().config().withCmd(List.of("inherited"));
    List<Step<?>> dropping = steps("FROM scratch\nENTRYPOINT [\"/e\"]\n");
    ContainerConfig dropped = dropping.getFirst().apply(base).configOrEmpty();
    assertEquals(List.of("/e"), dropped.entrypoint());
    assertNull(dropped.cmd());

    List<Step<?>> keeping = steps("FROM scratch\nCMD [\"mine\"]\nENTRYPOINT [\"/e\"]\n");
    ImageConfig c = base;
    for (Step<?> s : keeping) {
      c = s.apply(c);
    }
    assertEquals(List.of("mine"), c.configOrEmpty().cmd());
    assertEquals(Boolean.TRUE, c.configOrEmpty().argsEscaped());
  }

  @Test
  void shellFormUsesTheStagesShell() throws Exception {
    ContainerConfig c =
        config("FROM scratch\nSHELL [\"/bin/bash\", \"-eu\", \"-c\"]\nCMD run it\n");
    assertEquals(List.of("/bin/bash", "-eu", "-c", "run it"), c.cmd());
  }

  @Test
  void runKeysLeaveOutUndeclaredProxyArgsButTheCommandGetsThem() throws Exception {
    Step<?> run =
        Plans.steps(
                "FROM scratch\nARG V\nRUN make\n",
                Map.of("V", "1", "HTTP_PROXY", "http://proxy:3128"),
                engine.services())
            .get(1);
    KeyBuilder key = new KeyBuilder(run.kind());
    run.prepare(key, Plans.scratch());
    assertEquals("1", key.components().get("env:V"));
    assertFalse(key.components().containsKey("env:HTTP_PROXY"));
  }

  @Test
  void metadataStepsKeyOnTheExpandedInstruction() throws Exception {
    Step<?> a = steps("FROM scratch\nARG X=1\nENV A=$X\n").get(1);
    Step<?> b = steps("FROM scratch\nARG X=2\nENV A=$X\n").get(1);
    KeyBuilder ka = new KeyBuilder("env");
    a.prepare(ka, Plans.scratch());
    KeyBuilder kb = new KeyBuilder("env");
    b.prepare(kb, Plans.scratch());
    assertEquals("ENV A=1", ka.components().get("instruction"));
    assertEquals("ENV A=2", kb.components().get("instruction"));
  }

  @Test
  void onbuildIsKeptInTheConfigWithoutHistory() throws Exception {
    Step<?> s = steps("FROM scratch\nONBUILD RUN make\n").getFirst();
    assertFalse(s.recordsHistory());
    assertEquals(List.of("RUN make"), s.apply(Plans.scratch().config()).configOrEmpty().onBuild());
  }
}
