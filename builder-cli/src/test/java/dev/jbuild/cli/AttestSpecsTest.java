package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.attest.Attestations;
import dev.jbuild.builder.attest.Attestations.Mode;
import dev.jbuild.builder.publish.Export;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code --attest}, {@code --provenance}, {@code --sbom} and buildx's default, as buildx reads
 * them.
 */
class AttestSpecsTest {
  private static Attestations parse(
      List<String> attest, String provenance, String sbom, boolean imageOut) {
    return AttestSpecs.parse(attest, provenance, sbom, imageOut, Map.of());
  }

  @Test
  void attestRecordsAndShorthands() {
    assertEquals(
        new Attestations(Optional.of(Mode.MAX), true),
        parse(List.of("type=provenance,mode=max", "type=sbom"), null, null, false));
    assertEquals(
        new Attestations(Optional.of(Mode.MIN), false), parse(List.of(), "true", null, false));
    assertEquals(
        new Attestations(Optional.of(Mode.MAX), false), parse(List.of(), "mode=max", null, false));
    assertEquals(new Attestations(Optional.empty(), true), parse(List.of(), null, "1", false));
    // the shorthand wins over --attest of its type
    assertEquals(
        new Attestations(Optional.empty(), false),
        parse(List.of("type=provenance,mode=max", "type=sbom"), "false", "false", true));
    assertEquals(
        new Attestations(Optional.empty(), false),
        parse(List.of("\"type=sbom\",disabled=true"), null, null, false));
  }

  @Test
  void provenanceByDefaultWhenAnImageLeavesTheStore() {
    assertEquals(
        new Attestations(Optional.of(Mode.MIN), false), parse(List.of(), null, null, true));
    assertEquals(Attestations.none(), parse(List.of(), null, null, false));
    assertEquals(
        Attestations.none(),
        AttestSpecs.parse(
            List.of(), null, null, true, Map.of("BUILDX_NO_DEFAULT_ATTESTATIONS", "1")));
    assertEquals(
        new Attestations(Optional.of(Mode.MIN), false),
        AttestSpecs.parse(
            List.of(), null, null, true, Map.of("BUILDX_NO_DEFAULT_ATTESTATIONS", "false")));
    assertTrue(AttestSpecs.imageOut(true, List.of()));
    assertTrue(
        AttestSpecs.imageOut(false, List.of(new Export(Export.Type.OCI, "x.tar", Map.of()))));
    assertTrue(AttestSpecs.imageOut(false, List.of(new Export(Export.Type.IMAGE, "", Map.of()))));
    assertEquals(
        false,
        AttestSpecs.imageOut(
            false,
            List.of(
                new Export(Export.Type.DOCKER, "d.tar", Map.of()),
                new Export(Export.Type.LOCAL, "dir", Map.of()))));
  }

  @Test
  void unknownTypesKeysAndValuesAreUsageErrors() {
    for (List<String> a :
        List.of(
            List.of("type=vex"),
            List.of("mode=max"),
            List.of("type=provenance,mode=mid"),
            List.of("type=provenance,builder-id=x"),
            List.of("type=provenance,version=v1"),
            List.of("type=provenance,disabled=maybe"),
            List.of("type=sbom,generator=docker/buildkit-syft-scanner"),
            List.of("type=sbom,scan-context=true"),
            List.of("type=sbom,type=sbom"),
            List.of("type=\"sbom"))) {
      UserException e =
          assertThrows(UserException.class, () -> parse(a, null, null, false), a.toString());
      assertEquals(ExitCodes.USAGE, e.exitCode());
      assertTrue(e.getMessage().startsWith("invalid --attest"), e.getMessage());
    }
    assertThrows(UserException.class, () -> parse(List.of(), "maybe", null, false));
    assertThrows(UserException.class, () -> parse(List.of(), "type=sbom", null, false));
    assertThrows(UserException.class, () -> parse(List.of(), null, "generator=x", false));
  }
}
