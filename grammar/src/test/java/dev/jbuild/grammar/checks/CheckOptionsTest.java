package dev.jbuild.grammar.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.SourceRange;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code # check=} directive and BUILDKIT_DOCKERFILE_CHECK (BuildKit's ParseLintOptions). */
class CheckOptionsTest {
  private static final Warning CASING =
      new Warning(Rule.STAGE_NAME_CASING, "m", SourceRange.at("Dockerfile", 1, 1));
  private static final Warning MAINTAINER =
      new Warning(Rule.MAINTAINER_DEPRECATED, "m", SourceRange.at("Dockerfile", 2, 1));

  @Test
  void grammar() {
    assertEquals(CheckOptions.DEFAULT, CheckOptions.parse(""));
    assertEquals(new CheckOptions(true, Set.of(), false), CheckOptions.parse("skip=all"));
    assertEquals(
        new CheckOptions(false, Set.of("StageNameCasing", "FromAsCasing"), true),
        CheckOptions.parse(" skip = StageNameCasing, FromAsCasing ; error = true "));
    assertEquals(new CheckOptions(false, Set.of(), true), CheckOptions.parse("error=1"));
    assertEquals(new CheckOptions(false, Set.of(), false), CheckOptions.parse("error=False"));
    assertEquals(CheckOptions.DEFAULT, CheckOptions.parse("experimental=all"));
  }

  @Test
  void badOptionsAreBuildKitsErrors() {
    assertEquals(
        "invalid check option \"skip\"",
        assertThrows(IllegalArgumentException.class, () -> CheckOptions.parse("skip"))
            .getMessage());
    assertEquals(
        "invalid check option \"warn\"",
        assertThrows(IllegalArgumentException.class, () -> CheckOptions.parse("warn=1"))
            .getMessage());
    assertEquals(
        "failed to parse check option \"error=yes\": strconv.ParseBool: parsing \"yes\": invalid"
            + " syntax",
        assertThrows(IllegalArgumentException.class, () -> CheckOptions.parse("error=yes"))
            .getMessage());
    DockerfileException e =
        assertThrows(
            DockerfileException.class,
            () ->
                CheckOptions.of(
                    Dockerfiles.parse("Dockerfile", "# check=bogus\nFROM scratch\n"), Map.of()));
    assertEquals(
        "Dockerfile:1:9: failed to parse check options: invalid check option \"bogus\"",
        e.getMessage());
  }

  @Test
  void skipAndError() {
    List<Warning> all = List.of(CASING, MAINTAINER);
    assertEquals(all, CheckOptions.DEFAULT.filter(all));
    assertEquals(Optional.empty(), CheckOptions.DEFAULT.failure(all));
    CheckOptions skipOne = CheckOptions.parse("skip=StageNameCasing;error=true");
    assertEquals(List.of(MAINTAINER), skipOne.filter(all));
    assertEquals(
        Optional.of("lint violation found for rules: MaintainerDeprecated"),
        skipOne.failure(skipOne.filter(all)));
    CheckOptions skipAll = CheckOptions.parse("skip=all;error=true");
    assertEquals(List.of(), skipAll.filter(all));
    assertEquals(Optional.empty(), skipAll.failure(skipAll.filter(all)));
    assertTrue(CheckOptions.parse("error=true").enabled(Rule.UNDEFINED_VAR));
    assertFalse(CheckOptions.parse("skip=UndefinedVar").enabled(Rule.UNDEFINED_VAR));
  }

  @Test
  void theBuildArgReplacesTheDirective() {
    var df = Dockerfiles.parse("Dockerfile", "# check=skip=all\nFROM scratch\n");
    assertTrue(CheckOptions.of(df, Map.of()).skipAll());
    CheckOptions arg = CheckOptions.of(df, Map.of("BUILDKIT_DOCKERFILE_CHECK", "error=true"));
    assertFalse(arg.skipAll());
    assertTrue(arg.error());
    assertEquals(
        "Dockerfile:1:1: failed to parse BUILDKIT_DOCKERFILE_CHECK: invalid check option \"x\"",
        assertThrows(
                DockerfileException.class,
                () ->
                    CheckOptions.of(
                        Dockerfiles.parse("Dockerfile", "FROM scratch\n"),
                        Map.of("BUILDKIT_DOCKERFILE_CHECK", "x")))
            .getMessage());
  }
}
