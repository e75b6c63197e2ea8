package dev.jbuild.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunMountTest {
  @Test
  void defaultsPerType() {
    assertTrue(RunMount.parse("target=/a", null).readOnly());
    assertEquals(RunMount.Type.BIND, RunMount.parse("target=/a", null).type());
    assertFalse(RunMount.parse("type=cache,target=/a", null).readOnly());
    assertFalse(RunMount.parse("type=tmpfs,target=/a", null).readOnly());
    assertTrue(RunMount.parse("type=secret,id=x", null).readOnly());
    assertFalse(RunMount.parse("target=/a,rw", null).readOnly());
    assertFalse(RunMount.parse("target=/a,readonly=false", null).readOnly());
    assertTrue(RunMount.parse("type=cache,target=/a,ro=true", null).readOnly());
  }

  @Test
  void keysAreCaseInsensitiveAndAliased() {
    RunMount m = RunMount.parse("Type=Bind,SRC=x,DST=/y,From=stage", null);
    assertEquals(Optional.of("x"), m.source());
    assertEquals(Optional.of("/y"), m.target());
    assertEquals(Optional.of("stage"), m.from());
  }

  @Test
  void secretDefaults() {
    RunMount byTarget = RunMount.parse("type=secret,target=/run/secrets/npm", null);
    assertEquals("npm", byTarget.effectiveId());
    RunMount bySource = RunMount.parse("type=secret,source=aws", null);
    assertEquals("aws", bySource.effectiveId());
    assertEquals(Optional.of("/run/secrets/aws"), bySource.effectiveTarget());
    RunMount env = RunMount.parse("type=secret,id=tok,env=TOKEN", null);
    assertEquals(Optional.empty(), env.effectiveTarget());
  }

  @Test
  void sizesAndModes() {
    assertEquals(
        Optional.of(64L << 20), RunMount.parse("type=tmpfs,target=/t,size=64m", null).size());
    assertEquals(Optional.of(1536L), RunMount.parse("type=tmpfs,target=/t,size=1.5k", null).size());
    assertEquals(Optional.of(0700), RunMount.parse("type=cache,target=/c,mode=0700", null).mode());
  }

  @Test
  void csvQuoting() {
    assertEquals(List.of("a", "b,c", "d\"e", ""), RunMount.csvFields("a,\"b,c\",\"d\"\"e\","));
    assertThrows(IllegalArgumentException.class, () -> RunMount.csvFields("a\"b"));
    assertThrows(IllegalArgumentException.class, () -> RunMount.csvFields("\"ab"));
  }

  @Test
  void rejectsWhatBuildKitRejects() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RunMount.parse("type=bind,target=/a,mode=0700", null));
    assertThrows(
        IllegalArgumentException.class,
        () -> RunMount.parse("type=bind,target=/a,sharing=shared", null));
    assertThrows(
        IllegalArgumentException.class, () -> RunMount.parse("type=cache,target=/a,size=1", null));
    assertThrows(
        IllegalArgumentException.class, () -> RunMount.parse("type=secret,from=x,id=a", null));
    assertThrows(
        IllegalArgumentException.class, () -> RunMount.parse("type=secret,source=a,id=b", null));
    assertThrows(
        IllegalArgumentException.class, () -> RunMount.parse("type=bind,target=/a,required", null));
    assertThrows(IllegalArgumentException.class, () -> RunMount.parse("target=/a,bogus=1", null));
    assertThrows(IllegalArgumentException.class, () -> RunMount.parse("target=/a,novalue", null));
    assertThrows(
        IllegalArgumentException.class, () -> RunMount.parse("type=cache,target=/a,uid=-1", null));
  }

  @Test
  void variablesWaitForTheStageScope() {
    RunMount deferred = RunMount.parse("type=cache,target=$DIR,mode=$MODE", null);
    assertEquals(Optional.of("$DIR"), deferred.target());
    assertEquals(Optional.empty(), deferred.mode());
    RunMount expanded =
        RunMount.parse(deferred.spec(), v -> v.replace("$DIR", "/cache").replace("$MODE", "0750"));
    assertEquals(Optional.of("/cache"), expanded.target());
    assertEquals(Optional.of(0750), expanded.mode());
  }
}
