package dev.jbuild.runner.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserResolverTest {
  static final UserDatabase DB =
      UserDatabase.parse(
          """
          root:x:0:0:root:/root:/bin/sh
          # a comment
          app:x:1000:1000:App:/home/app:/bin/sh
          svc:x:1001:50::/srv:/bin/false
          broken line
          """,
          """
          root:x:0:
          wheel:x:10:root,app
          staff:x:50:
          app:x:1000:
          docker:x:999:app, svc
          """);

  static ResolvedUser resolve(String spec) throws RunnerException {
    return UserResolver.resolve(DB, spec);
  }

  @Test
  void emptyIsRootWithItsGroups() throws Exception {
    assertEquals(new ResolvedUser(0, 0, List.of(10L), "/root"), resolve(""));
  }

  @Test
  void byName() throws Exception {
    assertEquals(new ResolvedUser(1000, 1000, List.of(10L, 999L), "/home/app"), resolve("app"));
  }

  @Test
  void byUid() throws Exception {
    assertEquals(new ResolvedUser(1001, 50, List.of(999L), "/srv"), resolve("1001"));
  }

  @Test
  void unknownUidIsUsedAsIsWithGroupZero() throws Exception {
    assertEquals(new ResolvedUser(4242, 0, List.of(), "/"), resolve("4242"));
  }

  @Test
  void nameAndGroupName() throws Exception {
    // an explicit group replaces the supplementary groups, as in Docker
    assertEquals(new ResolvedUser(1000, 50, List.of(), "/home/app"), resolve("app:staff"));
  }

  @Test
  void uidAndGid() throws Exception {
    assertEquals(new ResolvedUser(1000, 77, List.of(), "/home/app"), resolve("1000:77"));
    assertEquals(new ResolvedUser(5000, 6000, List.of(), "/"), resolve("5000:6000"));
  }

  @Test
  void uidAndGroupName() throws Exception {
    assertEquals(new ResolvedUser(5000, 10, List.of(), "/"), resolve("5000:wheel"));
  }

  @Test
  void unknownNamesFailLikeDocker() {
    RunnerException u = assertThrows(RunnerException.class, () -> resolve("nobody"));
    assertEquals(RunnerErrors.userNotFound("nobody").getMessage(), u.getMessage());
    assertEquals("unable to find user nobody: no matching entries in passwd file", u.getMessage());
    RunnerException g = assertThrows(RunnerException.class, () -> resolve("app:nogroup"));
    assertEquals("unable to find group nogroup: no matching entries in group file", g.getMessage());
  }

  @Test
  void noFilesMeansOnlyNumericUsersWork() throws Exception {
    UserDatabase empty = UserDatabase.parse("", "");
    assertEquals(new ResolvedUser(0, 0, List.of(), "/"), UserResolver.resolve(empty, ""));
    assertEquals(new ResolvedUser(7, 8, List.of(), "/"), UserResolver.resolve(empty, "7:8"));
    assertThrows(RunnerException.class, () -> UserResolver.resolve(empty, "root"));
  }

  @Test
  void outOfRangeIdsAreRejected() {
    assertThrows(RunnerException.class, () -> resolve("99999999999"));
  }
}
