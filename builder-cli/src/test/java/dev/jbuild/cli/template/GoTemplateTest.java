package dev.jbuild.cli.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docker inspect --format templates over an image description; the expected texts are what docker
 * 20.10 printed for the same image (Go's %v of its typed structures).
 */
class GoTemplateTest {
  static final JsonObject DOC =
      (JsonObject)
          Json.parse(
              """
              {"Id":"sha256:abc","RepoTags":["app:1","app:latest"],"Size":1094704,
               "Os":"linux","Architecture":"amd64",
               "Config":{"Env":["PATH=/bin","A=two words"],"Cmd":["/bin/sh","-c","echo hi"],
                 "Labels":{"b":"2","a":"1"},"ExposedPorts":{"80/tcp":{},"53/udp":{}},
                 "User":"nobody","Entrypoint":null},
               "RootFS":{"Type":"layers","Layers":["sha256:1","sha256:2"]}}
              """
                  .getBytes(StandardCharsets.UTF_8));

  @org.junit.jupiter.api.Test
  void healthcheckPrintsAsGoPrintsDockersStruct() {
    JsonObject doc =
        (JsonObject)
            Json.parse(
                """
                {"Config":{"Healthcheck":{"Test":["CMD-SHELL","curl x"],"Interval":30000000000,
                 "Timeout":5000000000,"Retries":3}},
                 "Other":{"Healthcheck":{"Test":["NONE"]}},
                 "Long":{"Healthcheck":{"Test":["CMD","true"],"Interval":5400000000000,
                  "Timeout":1500000000,"StartPeriod":90000000000,"StartInterval":500000000,
                  "Retries":1}}}
                """
                    .getBytes(StandardCharsets.UTF_8));
    assertEquals(
        "{[CMD-SHELL curl x] 30s 5s 0s 0s 3}",
        GoTemplate.parse("{{.Config.Healthcheck}}").execute(doc));
    assertEquals("{[NONE] 0s 0s 0s 0s 0}", GoTemplate.parse("{{.Other.Healthcheck}}").execute(doc));
    assertEquals(
        "{[CMD true] 1h30m0s 1.5s 1m30s 500ms 1}",
        GoTemplate.parse("{{.Long.Healthcheck}}").execute(doc));
    assertEquals(
        "[CMD-SHELL curl x]", GoTemplate.parse("{{.Config.Healthcheck.Test}}").execute(doc));
    assertEquals("1.5\u00b5s", GoValues.goDuration(1500));
    assertEquals("-2ns", GoValues.goDuration(-2));
  }

  private static String run(String template) {
    return GoTemplate.parse(template).execute(DOC);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '\'',
      value = {
        "{{.Id}}=>sha256:abc",
        "{{.Config.Env}}=>[PATH=/bin A=two words]",
        "{{.Config.Cmd}}=>[/bin/sh -c echo hi]",
        "{{.Config.Labels}}=>map[a:1 b:2]",
        "{{.Config.ExposedPorts}}=>map[53/udp:{} 80/tcp:{}]",
        "{{json .Config.Env}}=>[\"PATH=/bin\",\"A=two words\"]",
        "{{json .Config.Labels}}=>{\"b\":\"2\",\"a\":\"1\"}",
        "{{index .Config.Labels \"a\"}}=>1",
        "{{index .Config.Labels \"nope\"}}=>''",
        "{{index .RepoTags 1}}=>app:latest",
        "{{len .RootFS.Layers}}=>2",
        "{{.Size}}=>1094704",
        "{{.Os}}/{{.Architecture}}=>linux/amd64",
        "{{.Config.Entrypoint}}=>[]",
        "{{.Config.Volumes}}=>map[]",
        "{{.Config.WorkingDir}}=>''",
        "{{.Config.Healthcheck}}=><nil>",
        "{{.Config.ArgsEscaped}}=>false",
        "{{join .Config.Env \",\"}}=>PATH=/bin,A=two words",
        "{{range .Config.Env}}{{.}};{{end}}=>PATH=/bin;A=two words;",
        "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}=>'a=1 b=2 '",
        "{{range $i, $e := .RepoTags}}{{$i}}:{{$e}} {{end}}=>'0:app:1 1:app:latest '",
        "{{range .Config.Entrypoint}}x{{else}}none{{end}}=>none",
        "{{if .Config.User}}user {{.Config.User}}{{else}}root{{end}}=>user nobody",
        "{{if .Config.Healthcheck}}yes{{else if .Config.User}}user{{end}}=>user",
        "{{with .Config.Labels}}{{.a}}{{end}}=>1",
        "{{.Config.User | upper}}=>NOBODY",
        "{{lower \"ABC\"}}{{title \"hello world\"}}=>abcHello World",
        "{{index (split \"a:b\" \":\") 1}}=>b",
        "{{printf \"%s has %d tags\" .Id (len .RepoTags)}}=>sha256:abc has 2 tags",
        "{{if eq .Os \"linux\"}}L{{end}}{{if ne .Os \"linux\"}}N{{end}}=>L",
        "{{if and .Config.User (not .Config.Entrypoint)}}ok{{end}}=>ok",
        "a {{- \" b \" -}} c=>a b c",
        "{{/* a comment */}}x=>x",
        "{{$.Id}}=>sha256:abc",
      })
  void rendersAsDockerInspect(String template, String expected) {
    assertEquals(expected, run(template));
  }

  @Test
  void splitAndPipeIntoIndex() {
    assertEquals("[a b]", run("{{split \"a,b\" \",\"}}"));
    assertEquals("2", run("{{.RootFS.Layers | len}}"));
  }

  @Test
  void errorsAreUsageErrorsNamingTheProblem() {
    for (String bad :
        new String[] {
          "{{.Id",
          "{{if .Id}}x",
          "{{end}}",
          "{{nofunc .Id}}",
          "{{.Id.Sub}}",
          "{{\"open}}",
          "{{.Config.Nope}}"
        }) {
      TemplateException e = assertThrows(TemplateException.class, () -> run(bad), bad);
      assertTrue(e.getMessage().startsWith("template: "), e.getMessage());
    }
  }
}
