package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The volume store: names, records, what a killed jbuild leaves, in-use refusal. */
class VolumesTest {
  @TempDir Path tmp;

  @Test
  void createListRemoveAndLeftoversOfAKilledJbuild() throws Exception {
    try (Store store = Store.open(tmp.resolve("s"))) {
      Volumes v = Volumes.open(store);
      VolumeRecord a = v.create("data", Map.of("k", "v"));
      assertEquals(a, v.create("data", Map.of()), "an existing name is returned as it is");
      VolumeRecord anon = v.create(null, Map.of());
      assertTrue(anon.anonymous() && anon.name().matches("[0-9a-f]{64}"));
      assertEquals(
          List.of("data", anon.name()).stream().sorted().toList(),
          v.list().stream().map(VolumeRecord::name).toList());
      assertThrows(RunnerException.class, () -> v.create("x", Map.of()));
      assertThrows(RunnerException.class, () -> v.create("../x", Map.of()));

      RunnerException inUse =
          assertThrows(
              RunnerException.class, () -> v.remove("data", Map.of("data", List.of("web"))));
      assertTrue(inUse.getMessage().contains("volume is in use - [web]"), inUse.getMessage());
      v.remove("data", Map.of());
      assertTrue(v.find("data").isEmpty());

      // a half-made volume (killed before the rename) is not a volume; old ones are swept, and a
      // removal that was cut short is finished
      Path dir = store.root().resolve(Volumes.DIR);
      Path half = Files.createDirectories(dir.resolve(".tmp-0123456789abcdef/_data"));
      Files.setLastModifiedTime(half.getParent(), FileTime.from(Instant.now().minusSeconds(7200)));
      Path fresh = Files.createDirectories(dir.resolve(".tmp-fedcba9876543210"));
      Path removing = Files.createDirectories(dir.resolve(".rm-0000000000000000/_data/sub"));
      assertEquals(List.of(anon.name()), v.list().stream().map(VolumeRecord::name).toList());
      Volumes.open(store);
      assertFalse(Files.exists(half.getParent()));
      assertTrue(Files.exists(fresh), "another jbuild may be making it right now");
      assertFalse(Files.exists(removing.getParent().getParent()));

      // an anonymous volume of a --rm container goes once that container's directory is gone
      Files.createDirectories(store.root().resolve(Containers.DIR).resolve("c1"));
      VolumeRecord mine = v.create(null, Map.of(), "c1");
      Volumes.open(store);
      assertTrue(v.find(mine.name()).isPresent());
      Files.delete(store.root().resolve(Containers.DIR).resolve("c1"));
      Volumes.open(store);
      assertTrue(v.find(mine.name()).isEmpty());
    }
  }
}
