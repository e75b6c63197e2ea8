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
