package dev.jbuild.cli.template;

import static dev.jbuild.cli.template.GoValues.bool;
import static dev.jbuild.cli.template.GoValues.format;
import static dev.jbuild.cli.template.GoValues.isKnown;
import static dev.jbuild.cli.template.GoValues.truth;

import dev.jbuild.cli.template.GoValues.Missing;
import dev.jbuild.cli.template.Node.Action;
import dev.jbuild.cli.template.Node.If;
import dev.jbuild.cli.template.Node.Pipeline;
import dev.jbuild.cli.template.Node.Range;
import dev.jbuild.cli.template.Node.Text;
import dev.jbuild.cli.template.Node.With;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonNumber;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The part of Go's text/template that {@code docker inspect --format} users write, over a JSON
 * document: {@code {{.A.B}}}, {@code {{json .A}}}, {@code {{index .Labels "k"}}}, {@code {{len
 * .A}}}, {@code {{join .A ","}}}, {@code {{range}}}/{@code {{if}}}/{@code {{with}}} with {@code
 * else} and variables ({@code {{range $k, $v := .Labels}}}), pipes, {@code {{- -}}} trimming, and
 * the functions upper, lower, title, split, print, println, printf, eq, ne, not, and, or.
 *
 * <p>Values print as Go's {@code %v} prints docker's typed inspect structures: strings raw, lists
 * {@code [a b]}, maps {@code map[k:v]} (sorted keys), an absent list {@code []}, an absent map
 * {@code map[]}, an absent Healthcheck {@code <nil>}, an absent string field empty, an absent flag
 * {@code false}; a key docker's structures do not have is an error, as in docker, and {@code index}
 * of a missing map key the empty string. Structs print as maps, except the Healthcheck struct,
 * printed as Go prints docker's HealthcheckConfig: {@code {[CMD-SHELL curl x] 30s 5s 0s 0s 3}}.
 *
 * <p>A template that does not parse, or fails over its document, throws {@link TemplateException}.
 */
public final class GoTemplate {
  private final List<Node> root;

  private GoTemplate(List<Node> root) {
    this.root = root;
  }

  /** Parses {@code template}; a syntax error is a {@link TemplateException} naming it. */
  public static GoTemplate parse(String template) {
    return new GoTemplate(TemplateParser.parse(template));
  }

  /** Runs the template over {@code doc}. */
  public String execute(JsonObject doc) {
    StringBuilder out = new StringBuilder();
    Map<String, Object> vars = new HashMap<>();
    vars.put("$", doc);
    run(root, doc, vars, out);
    return out.toString();
  }

  private void run(List<Node> nodes, Object dot, Map<String, Object> vars, StringBuilder out) {
    for (Node n : nodes) {
      switch (n) {
        case Text t -> out.append(t.text());
        case Action a -> out.append(format(eval(a.pipe(), dot, vars), true));
        case If f ->
            run(truth(eval(f.cond(), dot, vars)) ? f.then() : f.otherwise(), dot, vars, out);
        case With w -> {
          Object v = eval(w.value(), dot, vars);
          if (truth(v)) {
            run(w.body(), v, vars, out);
          } else {
            run(w.otherwise(), dot, vars, out);
          }
        }
        case Range r -> {
          Object over = eval(r.over(), dot, vars);
          List<Object[]> items = new ArrayList<>();
          if (over instanceof JsonArray a) {
            for (int i = 0; i < a.elements().size(); i++) {
              items.add(new Object[] {JsonNumber.of(i), a.elements().get(i)});
            }
          } else if (over instanceof JsonObject o) {
            new TreeMap<>(o.members())
                .forEach((k, v) -> items.add(new Object[] {new JsonString(k), v}));
          } else if (truth(over)) {
            throw new TemplateException("range can't iterate over " + format(over, true));
          }
          if (items.isEmpty()) {
            run(r.otherwise(), dot, vars, out);
          }
          for (Object[] item : items) {
            Map<String, Object> inner = new HashMap<>(vars);
            if (r.vars().size() == 1) {
              inner.put(r.vars().get(0), item[1]);
            } else if (r.vars().size() == 2) {
              inner.put(r.vars().get(0), item[0]);
              inner.put(r.vars().get(1), item[1]);
            }
            run(r.body(), item[1], inner, out);
          }
        }
      }
    }
  }

  private Object eval(Pipeline p, Object dot, Map<String, Object> vars) {
    Object last = null;
    for (List<String> cmd : p.commands()) {
      List<String> words = cmd;
      String first = words.get(0);
      if (isFunction(first)) {
        List<Object> args = new ArrayList<>();
        for (String w : words.subList(1, words.size())) {
          args.add(operand(w, dot, vars));
        }
        if (last != null) {
          args.add(last);
        }
        last = Functions.call(first, args);
      } else {
        if (words.size() > 1 || last != null) {
          throw new TemplateException("can't give arguments to " + first);
        }
        last = operand(first, dot, vars);
      }
    }
    return last;
  }

  private static boolean isFunction(String w) {
    return !w.isEmpty()
        && Character.isLetter(w.charAt(0))
        && !w.equals("true")
        && !w.equals("false")
        && !w.equals("nil");
  }

  private Object operand(String w, Object dot, Map<String, Object> vars) {
    if (w.startsWith("(")) {
      return eval(TemplateParser.pipeline(w.substring(1).strip()), dot, vars);
    }
    if (w.startsWith("\"")) {
      return new JsonString(w.substring(1));
    }
    if (w.equals("true") || w.equals("false")) {
      return bool(w.equals("true"));
    }
    if (w.equals("nil")) {
      return JsonNull.INSTANCE;
    }
    if (!w.isEmpty() && (Character.isDigit(w.charAt(0)) || w.charAt(0) == '-')) {
      try {
        return JsonNumber.of(Long.parseLong(w));
      } catch (NumberFormatException e) {
        throw new TemplateException("bad number " + w);
      }
    }
    Object base;
    String path;
    if (w.startsWith("$")) {
      int dotAt = w.indexOf('.');
      String name = dotAt < 0 ? w : w.substring(0, dotAt);
      base = vars.get(name);
      if (base == null) {
        throw new TemplateException("undefined variable " + name);
      }
      path = dotAt < 0 ? "" : w.substring(dotAt);
    } else if (w.startsWith(".")) {
      base = dot;
      path = w;
    } else {
      throw new TemplateException("function \"" + w + "\" not defined");
    }
    Object v = base;
    for (String part : path.split("\\.")) {
      if (part.isEmpty()) {
        continue;
      }
      if (v instanceof JsonObject o) {
        v = o.has(part) ? o.get(part) : new Missing(part);
        if (v instanceof JsonNull) {
          v = new Missing(part);
        }
        if (v instanceof Missing && !isKnown(part)) {
          // docker inspect executes over its typed structures, then over the raw JSON map
          throw new TemplateException(
              "executing at <" + w + ">: map has no entry for key \"" + part + "\"");
        }
      } else if (v instanceof Missing) {
        throw new TemplateException("nil pointer evaluating " + w);
      } else {
        throw new TemplateException("can't evaluate field " + part + " in " + w);
      }
    }
    return v;
  }
}
