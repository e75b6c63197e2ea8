package dev.jbuild.builder.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** BuildKit's git URL rules, case by case from dfgitutil's git_ref_test.go. */
class GitRefTest {
  private static GitRef git(String s) {
    return assertInstanceOf(GitRef.Git.class, GitRef.parse(s), s).ref();
  }

  private static void notGit(String s) {
    assertInstanceOf(GitRef.NotGit.class, GitRef.parse(s), s);
  }

  private static void invalid(String s, String why) {
    GitRef.Invalid i = assertInstanceOf(GitRef.Invalid.class, GitRef.parse(s), s);
    assertTrue(i.why().contains(why), i.why());
  }

  @Test
  void httpUrlsAreGitOnlyWithADotGitPath() {
    notGit("https://example.com/");
    notGit("https://example.com/foo");
    notGit("https://example.com/foo.git/");
    notGit("https://example.com/foo.git.bar");
    notGit("https://github.com/moby/buildkit");
    notGit("http://github.com/docker/docker.git:#branch");
    notGit("https://host/ctx.tar.gz");
    assertEquals("https://example.com/foo.git", git("https://example.com/foo.git").remote());
    assertEquals("http", git("http://127.0.0.1:8080/r.git").scheme());
  }

  @Test
  void otherSchemesAndScpStyle() {
    assertEquals("git://example.com/foo", git("git://example.com/foo").remote());
    assertEquals("ssh", git("ssh://git@example.com/foo").scheme());
    GitRef scp = git("git@github.com:moby/buildkit");
    assertEquals("git@github.com:moby/buildkit", scp.remote());
    assertEquals("ssh", scp.scheme());
    assertEquals("github.com", scp.hostPort());
    assertEquals(
        "git@bitbucket.org:atlassianlabs/atlassian-docker.git",
        git("git@bitbucket.org:atlassianlabs/atlassian-docker.git").remote());
    notGit("ftp://example.com/foo.git");
    notGit("custom.xyz/moby/buildkit.git");
    notGit("./.git");
    notGit(".git");
  }

  @Test
  void githubShortFormOnlyForContexts() {
    notGit("github.com/moby/buildkit");
    GitRef.Git g =
        assertInstanceOf(GitRef.Git.class, GitRef.parse("github.com/moby/buildkit#master", true));
    assertEquals("https://github.com/moby/buildkit", g.ref().remote());
    assertEquals("master", g.ref().ref());
  }

  @Test
  void fragmentRefAndSubdir() {
    GitRef r = git("https://github.com/foo/bar.git#baz/qux:quux/quuz");
    assertEquals("https://github.com/foo/bar.git", r.remote());
    assertEquals("baz/qux", r.ref());
    assertEquals("quux/quuz", r.subdir());
    GitRef s = git("https://github.com/docker/docker.git#:myfolder");
    assertEquals("", s.ref());
    assertEquals("myfolder", s.subdir());
    assertEquals("a/b", git("https://h/r.git#main:/a/../a/./b/").subdir());
    assertEquals("", git("https://h/r.git#main:../..").subdir(), "cleaned inside the repo");
    assertEquals("deadbeef", git("https://example.com/foo.git#deadbeef").ref());
  }

  @Test
  void queryForm() {
    GitRef r = git("https://github.com/docker/docker.git?ref=v1.0.0&subdir=/subdir");
    assertEquals("v1.0.0", r.ref());
    assertEquals("subdir", r.subdir());
    GitRef f = git("https://github.com/moby/buildkit.git?subdir=/subdir#v1.0.0");
    assertEquals("v1.0.0", f.ref());
    assertEquals("subdir", f.subdir());
    assertEquals("refs/tags/v1.0.0", git("https://github.com/moby/buildkit.git?tag=v1.0.0").ref());
    assertEquals("refs/heads/v1.0", git("https://github.com/moby/buildkit.git?branch=v1.0").ref());
    GitRef scp = git("git@github.com:moby/buildkit.git?subdir=/subdir#v1.0.0");
    assertEquals("git@github.com:moby/buildkit.git", scp.remote());
    assertEquals("v1.0.0", scp.ref());
    GitRef all =
        git("https://h/r.git?checksum=deadbeef&keep-git-dir&submodules=false&mtime=commit");
    assertEquals("deadbeef", all.checksum());
    assertEquals(Optional.of(true), all.keepGitDir());
    assertEquals(false, all.submodules());
    assertEquals(true, all.commitMtime());
    assertEquals("beef", git("https://h/r.git?commit=beef").checksum());
  }

  @Test
  void queryErrorsAsBuildKit() {
    invalid("https://github.com/moby/buildkit.git?ref=v1.0.0#v1.2.3", "ref conflicts");
    invalid("https://github.com/moby/buildkit.git?ref=v1.0.0&tag=v1.2.3", "ref conflicts");
    invalid(
        "https://github.com/moby/buildkit.git?tag=v1.0.0&branch=v1.0", "branch conflicts with tag");
    invalid("https://github.com/moby/buildkit.git?mtime=invalid", "invalid mtime value");
    invalid("https://h/r.git?ref=", "query \"ref\" has no value");
    invalid("https://h/r.git?ref=a&ref=b", "has multiple values");
    invalid("https://h/r.git?what=1", "unexpected query \"what\"");
    invalid("https://h/r.git?keep-git-dir=maybe", "invalid keep-git-dir value");
  }

  @Test
  void redactedHidesThePassword() {
    assertEquals(
        "https://xxxxx@github.com/moby/buildkit.git",
        git("https://foo:bar@github.com/moby/buildkit.git").redacted());
    assertEquals("github.com", git("https://foo:bar@github.com/moby/buildkit.git").hostPort());
  }

  @Test
  void relativeSubmoduleUrls() {
    GitRef parent = git("http://127.0.0.1:9/group/app.git");
    assertEquals("http://127.0.0.1:9/group/lib.git", GitFetcher.relative(parent, "../lib.git"));
    assertEquals(
        "http://127.0.0.1:9/group/app.git/sub.git", GitFetcher.relative(parent, "./sub.git"));
    assertEquals("git@h:lib.git", GitFetcher.relative(git("git@h:group/app.git"), "../../lib.git"));
  }
}
