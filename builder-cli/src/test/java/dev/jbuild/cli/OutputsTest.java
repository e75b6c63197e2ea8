package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.publish.Export;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputsTest {
  private static Export one(String v) {
    return Outputs.parse(List.of(v)).getFirst();
  }

  @Test
  void buildxSpellings() {
    assertEquals(new Export(Export.Type.LOCAL, "out", Map.of()), one("out"));
    assertEquals(new Export(Export.Type.TAR, "-", Map.of()), one("-"));
    assertEquals(
        new Export(Export.Type.IMAGE, "", Map.of("name", "r/a:1", "push", "true")),
        one("type=registry,name=r/a:1"));
    assertEquals(
        new Export(Export.Type.IMAGE, "", Map.of("name", "r/a:1,r/b:2")),
        one("type=image,\"name=r/a:1,r/b:2\""));
    assertEquals(
        new Export(
            Export.Type.OCI, "o.tar", Map.of("compression", "zstd", "compression-level", "3")),
        one("type=oci,dest=o.tar,compression=zstd,compression-level=3"));
    assertEquals(new Export(Export.Type.DOCKER, "", Map.of()), one("type=docker"));
    assertTrue(one("type=docker").loadsIntoDocker());
    assertEquals(new Export(Export.Type.CACHEONLY, "", Map.of()), one("type=cacheonly"));
  }

  @Test
  void nothingIsIgnored() {
    for (String bad :
        List.of(
            "type=oci,dest=o.tar,unpack=true",
            "type=oci",
            "type=local,dest=-",
            "type=tar,dest=t,force-compression=true",
            "type=image,push=maybe",
            "type=oci,dest=o,compression=zstd,compression-level=23",
            "type=oci,dest=o,compression=uncompressed,compression-level=1",
            "type=oci,dest=o,dest=p",
            "type=oci,dest=\"o")) {
      var e = assertThrows(UserException.class, () -> one(bad), bad);
      assertEquals(ExitCodes.USAGE, e.exitCode(), bad);
    }
    var twice =
        assertThrows(
            UserException.class,
            () ->
                Outputs.check(
                    Outputs.parse(List.of("type=tar,dest=-")), false, List.of(), true, false));
    assertTrue(twice.getMessage().contains("-q"), twice.getMessage());
    assertEquals(
        2,
        Outputs.check(Outputs.parse(List.of("type=tar,dest=t")), true, List.of(), false, false)
            .size());
  }
}
