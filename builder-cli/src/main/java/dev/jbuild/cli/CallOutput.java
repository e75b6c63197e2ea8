package dev.jbuild.cli;

import dev.jbuild.grammar.SourceRange;
import dev.jbuild.grammar.checks.Comments;
import dev.jbuild.grammar.checks.Warning;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What {@code --call} and a build print, in buildx's shapes: the lint result (BuildKit's
 * subrequests/lint text and JSON), the outline and targets tables (subrequests/outline, targets;
 * text/tabwriter columns) and their JSON (MarshalIndent, two spaces), and the warnings after a
 * build (buildx's printWarnings). Locations are {@code file:line:col} where buildx prints {@code
 * file:line}.
 */
final class CallOutput {
  private CallOutput() {}

  /** buildx's printWarnings: a count line, then one line per warning. */
  static void afterBuild(PrintWriter err, List<Warning> warnings) {
    if (warnings.isEmpty()) {
      return;
    }
    err.print("\n ");
    err.print(warnings.size() == 1 ? "1 warning found" : warnings.size() + " warnings found");
    err.print(":\n");
    for (Warning w : warnings) {
      err.print(" - " + w.shortText() + "\n");
    }
    err.flush();
  }

  /** {@code --call check}: text as buildx prints the lint result. */
  static String checkText(List<Warning> warnings, String text) {
    StringBuilder sb = new StringBuilder();
    if (warnings.isEmpty()) {
      return "Check complete, no warnings found.\n";
    }
    sb.append("Check complete, ")
        .append(
            warnings.size() == 1
                ? "1 warning has been found!"
                : warnings.size() + " warnings have been found!")
        .append('\n');
    String[] lines = text.split("\n", -1);
    for (Warning w : warnings) {
      sb.append("\nWARNING: ").append(w.rule().ruleName());
      if (!w.rule().url().isEmpty()) {
        sb.append(" - ").append(w.rule().url());
      }
      sb.append('\n').append(w.message()).append('\n');
      source(sb, w.range(), lines);
    }
    return sb.toString();
  }

  /** BuildKit's errdefs Source.Print: the lines around the range, the range marked. */
  static void source(StringBuilder sb, SourceRange r, String[] lines) {
    int start = r.startLine();
    int end = Math.min(r.endLine(), lines.length);
    if (start < 1 || start > lines.length) {
      return;
    }
    int pad = end == start ? 4 : 2;
    int p = 0;
    while (p < pad) {
      if (start > 1) {
        start--;
        p++;
      }
      if (end != lines.length) {
        end++;
        p++;
      }
      p++;
    }
    sb.append(r.location()).append("\n--------------------\n");
    for (int i = start; i <= end; i++) {
      String pfx = i >= r.startLine() && i <= r.endLine() ? ">>>" : "   ";
      sb.append(String.format(" %3d | %s %s", i, pfx, lines[i - 1])).append('\n');
    }
    sb.append("--------------------\n");
  }

  /** {@code --call check,format=json}: BuildKit's LintResults. */
  static String checkJson(List<Warning> warnings, String fileName, String text) {
    Json list = Json.ofNullable(null); // Go's nil slice: "warnings": null
    if (!warnings.isEmpty()) {
      List<Json> ws = new ArrayList<>();
      for (Warning w : warnings) {
        ws.add(
            JsonObject.builder()
                .put("ruleName", w.rule().ruleName())
                .put("description", w.rule().description())
                .putIfNotNull("url", w.rule().url().isEmpty() ? null : w.rule().url())
                .put("detail", w.message())
                .put("location", location(w.range()))
                .build());
      }
      list = new JsonArray(ws);
    }
    JsonObject source =
        JsonObject.builder()
            .put("filename", fileName)
            .put("language", "Dockerfile")
            .put("data", base64(text))
            .build();
    return JsonObject.builder()
            .put("warnings", list)
            .put("sources", JsonArray.of(source))
            .build()
            .toPrettyString("  ")
        + "\n";
  }

  /** {@code --call targets}: every stage, the last one the default. */
  static String targets(BuildPlan plan, Comments docs, boolean json, String text) {
    List<Stage> stages = plan.allStages();
    if (json) {
      List<Json> ts = new ArrayList<>();
      for (Stage s : stages) {
        String name = s.name().orElse(null);
        String desc = docs.of(s.from().range().startLine(), s.name().orElse(""));
        ts.add(
            JsonObject.builder()
                .putIfNotNull("name", name)
                .putIfNotNull("default", s.index() == stages.size() - 1 ? Json.of(true) : null)
                .putIfNotNull("description", desc.isEmpty() ? null : desc)
                .put("base", s.from().image())
                .putIfNotNull("platform", s.from().platform().orElse(null))
                .put("location", location(s.from().range()))
                .build());
      }
      return JsonObject.builder()
              .put("targets", new JsonArray(ts))
              .put("sources", JsonArray.of(new JsonString(base64(text))))
              .build()
              .toPrettyString("  ")
          + "\n";
    }
    TabWriter tw = new TabWriter(1).row("TARGET", "DESCRIPTION");
    for (Stage s : stages) {
      boolean isDefault = s.index() == stages.size() - 1;
      String name = s.name().orElse("");
      if (name.isEmpty() && isDefault) {
        name = "(default)";
      } else if (isDefault) {
        name = name + " (default)";
      }
      tw.row(name, docs.of(s.from().range().startLine(), s.name().orElse("")));
    }
    return tw.render();
  }

  /** {@code --call outline}. */
  static String outline(Outline o, boolean json, String text) {
    if (json) {
      JsonObject.Builder b = JsonObject.builder();
      b.putIfNotNull("name", o.name().isEmpty() ? null : o.name());
      b.putIfNotNull("description", o.description().isEmpty() ? null : o.description());
      if (!o.args().isEmpty()) {
        List<Json> args = new ArrayList<>();
        for (Outline.Arg a : o.args()) {
          args.add(
              JsonObject.builder()
                  .put("name", a.name())
                  .putIfNotNull("description", a.description().isEmpty() ? null : a.description())
                  .putIfNotNull("value", a.value().isEmpty() ? null : a.value())
                  .put("location", location(a.at()))
                  .build());
        }
        b.put("args", new JsonArray(args));
      }
      mounts(b, "secrets", o.secrets());
      mounts(b, "ssh", o.ssh());
      b.put("sources", JsonArray.of(new JsonString(base64(text))));
      return b.build().toPrettyString("  ") + "\n";
    }
    StringBuilder sb = new StringBuilder();
    if (!o.name().isEmpty() || !o.description().isEmpty()) {
      TabWriter tw = new TabWriter(1).row("TARGET:", o.name().isEmpty() ? "(default)" : o.name());
      if (!o.description().isEmpty()) {
        tw.row("DESCRIPTION:", o.description());
      }
      sb.append(tw.render()).append('\n');
    }
    if (!o.args().isEmpty()) {
      TabWriter tw = new TabWriter(3).row("BUILD ARG", "VALUE", "DESCRIPTION");
      for (Outline.Arg a : o.args()) {
        tw.row(a.name(), a.value(), a.description());
      }
      sb.append(tw.render()).append('\n');
    }
    table(sb, "SECRET", o.secrets());
    table(sb, "SSH", o.ssh());
    return sb.toString();
  }

  private static void table(StringBuilder sb, String title, List<Outline.Mount> mounts) {
    if (mounts.isEmpty()) {
      return;
    }
    TabWriter tw = new TabWriter(3).row(title, "REQUIRED");
    for (Outline.Mount m : mounts) {
      tw.row(m.name(), m.required() ? "true" : "");
    }
    sb.append(tw.render()).append('\n');
  }

  private static void mounts(JsonObject.Builder b, String key, List<Outline.Mount> mounts) {
    if (mounts.isEmpty()) {
      return;
    }
    List<Json> out = new ArrayList<>();
    for (Outline.Mount m : mounts) {
      out.add(
          JsonObject.builder()
              .put("name", m.name())
              .putIfNotNull("required", m.required() ? Json.of(true) : null)
              .put("location", location(m.at()))
              .build());
    }
    b.put(key, new JsonArray(out));
  }

  /** pb.Location as Go's encoding/json writes it (zero fields omitted). */
  static JsonObject location(SourceRange r) {
    return JsonObject.builder()
        .put(
            "ranges",
            JsonArray.of(
                JsonObject.builder()
                    .put("start", JsonObject.builder().put("line", r.startLine()).build())
                    .put("end", JsonObject.builder().put("line", r.endLine()).build())
                    .build()))
        .build();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
