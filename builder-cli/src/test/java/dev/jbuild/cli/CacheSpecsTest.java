package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.publish.CacheExport;
import dev.jbuild.builder.publish.CacheImport;
import dev.jbuild.layercache.compress.Compression;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheSpecsTest {
  private static CacheExport to(String v) {
    return CacheSpecs.exports(List.of(v)).getFirst();
  }

  private static CacheImport from(String v) {
    return CacheSpecs.imports(List.of(v)).getFirst();
  }

  private static String usageError(Runnable r) {
    UserException e = assertThrows(UserException.class, r::run);
    assertEquals(ExitCodes.USAGE, e.exitCode(), e.getMessage());
    return e.getMessage();
  }

  @Test
  void aBareReferenceIsARegistryCacheAsBuildx() {
    var f = assertInstanceOf(CacheImport.Registry.class, from("localhost:5000/cache:ci"));
    assertEquals("localhost:5000/cache:ci", f.ref().toString());
    var t = assertInstanceOf(CacheExport.Registry.class, to("localhost:5000/cache:ci"));
    assertEquals(CacheExport.Mode.MIN, t.mode());
    assertTrue(t.imageManifest());
    assertTrue(t.ociMediaTypes());
    assertEquals(CacheExport.Layers.DEFAULT, t.layers());
    assertFalse(t.ignoreError());
  }

  @Test
  void aListOfReferencesIsOneRegistryCacheEach() {
    List<CacheImport> l = CacheSpecs.imports(List.of("r.io/a:1,r.io/b:2", "r.io/c:3"));
    assertEquals(3, l.size());
    assertEquals(
        "r.io/b:2", assertInstanceOf(CacheImport.Registry.class, l.get(1)).ref().toString());
    assertTrue(usageError(() -> from("")).contains("empty reference"));
  }

  @Test
  void registryKeys() {
    var t =
        assertInstanceOf(
            CacheExport.Registry.class,
            to(
                "type=registry,ref=r.io/c:1,mode=max,image-manifest=false,oci-mediatypes=false,"
                    + "compression=zstd,compression-level=19,ignore-error=true"));
    assertEquals(CacheExport.Mode.MAX, t.mode());
    assertFalse(t.imageManifest());
    assertFalse(t.ociMediaTypes());
    assertEquals(new CacheExport.Layers(Compression.ZSTD, 19), t.layers());
    assertTrue(t.ignoreError());
    // keys are case-insensitive, booleans as Go's ParseBool, a field may be quoted
    var u =
        assertInstanceOf(
            CacheExport.Registry.class,
            to("TYPE=registry,\"ref=r.io/c:2\",Mode=max,compression=uncompressed,ignore-error=1"));
    assertEquals(CacheExport.Mode.MAX, u.mode());
    assertEquals(Compression.NONE, u.layers().compression());
    assertTrue(u.ignoreError());
  }

  @Test
  void localAndInline() {
    var t =
        assertInstanceOf(
            CacheExport.Local.class, to("type=local,dest=/tmp/c,mode=max,compression=gzip"));
    assertEquals(Path.of("/tmp/c"), t.dest());
    assertEquals(CacheExport.Mode.MAX, t.mode());
    var f = assertInstanceOf(CacheImport.Local.class, from("type=local,src=/tmp/c"));
    assertEquals(Path.of("/tmp/c"), f.src());
    assertInstanceOf(CacheExport.Inline.class, to("type=inline"));
    assertEquals(2, CacheSpecs.exports(List.of("type=inline", "r.io/c:1")).size());
  }

  @Test
  void unknownKeysTypesAndValuesAreUsageErrors() {
    assertTrue(usageError(() -> to("type=registry,ref=r.io/c,colour=red")).contains("\"colour\""));
    assertTrue(usageError(() -> to("type=gha")).contains("type=gha is not supported"));
    assertTrue(usageError(() -> from("type=inline")).contains("type=inline is not supported"));
    assertTrue(usageError(() -> to("type=registry,ref=r.io/c,mode=all")).contains("mode=all"));
    assertTrue(usageError(() -> to("type=registry,ref=r.io/c,compression=lz4")).contains("lz4"));
    assertTrue(
        usageError(() -> to("type=registry,ref=r.io/c,compression-level=10")).contains("0-9"));
    assertTrue(
        usageError(() -> to("type=registry,ref=r.io/c,ignore-error=yes")).contains("boolean"));
    assertTrue(
        usageError(() -> to("type=registry,ref=r.io/c,oci-mediatypes=false"))
            .contains("image-manifest=true needs oci-mediatypes=true"));
    assertTrue(usageError(() -> to("type=inline,mode=max")).contains("\"mode\""));
    assertTrue(usageError(() -> to("type=local,dest=/d,tag=x")).contains("\"tag\""));
    assertTrue(usageError(() -> from("type=local,dest=/d")).contains("\"dest\""));
    assertTrue(usageError(() -> from("type=registry,ref=r.io/c,mode=max")).contains("\"mode\""));
    assertTrue(usageError(() -> to("type=registry,mode=max")).contains("needs ref="));
    assertTrue(usageError(() -> to("type=local")).contains("needs dest="));
    assertTrue(usageError(() -> to("ref=r.io/c")).contains("type required"));
    assertTrue(usageError(() -> to("type=registry,ref")).contains("not key=value"));
    assertTrue(usageError(() -> to("type=registry,\"ref=x")).contains("unterminated quote"));
    usageError(() -> to("type=registry,ref=UPPER/Case"));
  }
}
