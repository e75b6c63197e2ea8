package dev.jbuild.cli;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonBool;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonNumber;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * of a missing map key the empty string. Structs print as maps: {@code {{.Config.Healthcheck}}}
 * differs from docker's {@code {[CMD ...] 5s ...}}.
 */
final class GoTemplate {
  private static final Set<String> LIST_FIELDS =
      Set.of(
          "Cmd",
          "Entrypoint",
          "Env",
          "Shell",
          "OnBuild",
          "RepoTags",
          "RepoDigests",
          "Layers",
          "Test");
  private static final Set<String> MAP_FIELDS = Set.of("Labels", "ExposedPorts", "Volumes");
  private static final Set<String> STRING_FIELDS =
      Set.of(
          "User",
          "WorkingDir",
          "StopSignal",
          "Hostname",
          "Domainname",
          "Image",
          "Author",
          "Comment",
          "Parent",
          "Architecture",
          "Os",
          "Variant",
          "OsVersion",
          "Created",
          "Id",
          "MacAddress",
          "Container",
          "DockerVersion");
  private static final Set<String> BOOL_FIELDS =
      Set.of(
          "ArgsEscaped",
          "AttachStdin",
          "AttachStdout",
          "AttachStderr",
          "Tty",
          "OpenStdin",
          "StdinOnce",
          "NetworkDisabled");
  private static final Set<String> POINTER_FIELDS =
      Set.of("Healthcheck", "StopTimeout", "ContainerConfig", "GraphDriver");

  /** A key the document does not have (how it prints depends on the field's Go type). */
  private record Missing(String field) {}

  private sealed interface Node {}

  private record Text(String text) implements Node {}

  private record Action(Pipeline pipe) implements Node {}

  private record If(Pipeline cond, List<Node> then, List<Node> otherwise) implements Node {}

  private record Range(List<String> vars, Pipeline over, List<Node> body, List<Node> otherwise)
      implements Node {}

  private record With(Pipeline value, List<Node> body, List<Node> otherwise) implements Node {}

  private record Pipeline(List<List<String>> commands) {}

  private final List<Node> root;

  private GoTemplate(List<Node> root) {
    this.root = root;
  }

  /** Parses {@code template}; a syntax error is a usage error naming it. */
  static GoTemplate parse(String template) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf("{{", i);
      if (open < 0) {
        tokens.add("T" + template.substring(i));
        break;
      }
      int close = template.indexOf("}}", open + 2);
      if (close < 0) {
        throw error("unclosed action in \"" + template + "\"");
      }
      String text = template.substring(i, open);
      String inner = template.substring(open + 2, close);
      if (inner.startsWith("-")
          && (inner.length() == 1 || Character.isWhitespace(inner.charAt(1)))) {
        text = text.stripTrailing();
        inner = inner.substring(1);
      }
      boolean trimAfter = false;
      if (inner.endsWith("-")
          && (inner.length() == 1 || Character.isWhitespace(inner.charAt(inner.length() - 2)))) {
        inner = inner.substring(0, inner.length() - 1);
        trimAfter = true;
      }
      tokens.add("T" + text);
      tokens.add("A" + inner.strip());
      i = close + 2;
      if (trimAfter) {
        while (i < template.length() && Character.isWhitespace(template.charAt(i))) {
          i++;
        }
      }
    }
    int[] pos = {0};
    List<Node> nodes = parseList(tokens, pos, Set.of());
    if (pos[0] < tokens.size()) {
      throw error("unexpected {{" + tokens.get(pos[0]).substring(1) + "}}");
    }
    return new GoTemplate(nodes);
  }

  private static List<Node> parseList(List<String> tokens, int[] pos, Set<String> stops) {
    List<Node> out = new ArrayList<>();
    while (pos[0] < tokens.size()) {
      String t = tokens.get(pos[0]);
      if (t.startsWith("T")) {
        if (t.length() > 1) {
          out.add(new Text(t.substring(1)));
        }
        pos[0]++;
        continue;
      }
      String a = t.substring(1);
      String word = a.split("\\s+", 2)[0];
      if (stops.contains(word)) {
        return out;
      }
      pos[0]++;
      if (a.startsWith("/*")) {
        continue;
      }
      switch (word) {
        case "if" -> out.add(parseIf(a.substring(2).strip(), tokens, pos));
        case "range" -> {
          String rest = a.substring(5).strip();
          List<String> vars = new ArrayList<>();
          int decl = rest.indexOf(":=");
          if (decl >= 0) {
            for (String v : rest.substring(0, decl).split(",")) {
              vars.add(v.strip());
            }
            rest = rest.substring(decl + 2).strip();
          }
          Pipeline over = pipeline(rest);
          List<Node> body = parseList(tokens, pos, Set.of("else", "end"));
          List<Node> otherwise = elseAndEnd(tokens, pos);
          out.add(new Range(vars, over, body, otherwise));
        }
        case "with" -> {
          Pipeline v = pipeline(a.substring(4).strip());
          List<Node> body = parseList(tokens, pos, Set.of("else", "end"));
          out.add(new With(v, body, elseAndEnd(tokens, pos)));
        }
        case "end", "else" -> throw error("unexpected {{" + a + "}}");
        default -> out.add(new Action(pipeline(a)));
      }
    }
    if (!stops.isEmpty()) {
      throw error("missing {{end}}");
    }
    return out;
  }

  private static If parseIf(String cond, List<String> tokens, int[] pos) {
    Pipeline c = pipeline(cond);
    List<Node> then = parseList(tokens, pos, Set.of("else", "end"));
    String t = tokens.get(pos[0]).substring(1);
    pos[0]++;
    if (t.equals("end")) {
      return new If(c, then, List.of());
    }
    String rest = t.substring(4).strip();
    if (rest.startsWith("if ")) {
      return new If(c, then, List.of(parseIf(rest.substring(3).strip(), tokens, pos)));
    }
    List<Node> otherwise = parseList(tokens, pos, Set.of("end"));
    pos[0]++;
    return new If(c, then, otherwise);
  }

  private static List<Node> elseAndEnd(List<String> tokens, int[] pos) {
    String t = tokens.get(pos[0]).substring(1);
    pos[0]++;
    if (t.equals("end")) {
      return List.of();
    }
    List<Node> otherwise = parseList(tokens, pos, Set.of("end"));
    pos[0]++;
    return otherwise;
  }

  /** Splits a pipeline into commands and each command into words (quoted strings kept whole). */
  private static Pipeline pipeline(String text) {
    if (text.isEmpty()) {
      throw error("missing value in {{}}");
    }
    List<List<String>> commands = new ArrayList<>();
    List<String> words = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '|') {
        commands.add(words);
        words = new ArrayList<>();
        i++;
      } else if (c == '(') {
        int depth = 0;
        int j = i;
        boolean quoted = false;
        for (; j < text.length(); j++) {
          char d = text.charAt(j);
          if (d == '"' && (j == 0 || text.charAt(j - 1) != '\\')) {
            quoted = !quoted;
          } else if (!quoted && d == '(') {
            depth++;
          } else if (!quoted && d == ')' && --depth == 0) {
            break;
          }
        }
        if (j >= text.length()) {
          throw error("unclosed '(' in {{" + text + "}}");
        }
        words.add("(" + text.substring(i + 1, j));
        i = j + 1;
      } else if (c == '"' || c == '`') {
        int j = i + 1;
        StringBuilder s = new StringBuilder();
        while (j < text.length() && text.charAt(j) != c) {
          if (c == '"' && text.charAt(j) == '\\' && j + 1 < text.length()) {
            char e = text.charAt(++j);
            s.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
          } else {
            s.append(text.charAt(j));
          }
          j++;
        }
        if (j >= text.length()) {
          throw error("unterminated string in {{" + text + "}}");
        }
        words.add("\"" + s);
        i = j + 1;
      } else {
        int j = i;
        while (j < text.length()
            && !Character.isWhitespace(text.charAt(j))
            && text.charAt(j) != '|'
            && text.charAt(j) != '(') {
          j++;
        }
        words.add(text.substring(i, j));
        i = j;
      }
    }
    commands.add(words);
    for (List<String> w : commands) {
      if (w.isEmpty()) {
        throw error("empty command in {{" + text + "}}");
      }
    }
    return new Pipeline(commands);
  }

  /** Runs the template over {@code doc}. */
  String execute(JsonObject doc) {
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
            throw error("range can't iterate over " + format(over, true));
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
        last = call(first, args);
      } else {
        if (words.size() > 1 || last != null) {
          throw error("can't give arguments to " + first);
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
      return eval(pipeline(w.substring(1).strip()), dot, vars);
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
        throw error("bad number " + w);
      }
    }
    Object base;
    String path;
    if (w.startsWith("$")) {
      int dotAt = w.indexOf('.');
      String name = dotAt < 0 ? w : w.substring(0, dotAt);
      base = vars.get(name);
      if (base == null) {
        throw error("undefined variable " + name);
      }
      path = dotAt < 0 ? "" : w.substring(dotAt);
    } else if (w.startsWith(".")) {
      base = dot;
      path = w;
    } else {
      throw error("function \"" + w + "\" not defined");
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
          throw error("executing at <" + w + ">: map has no entry for key \"" + part + "\"");
        }
      } else if (v instanceof Missing) {
        throw error("nil pointer evaluating " + w);
      } else {
        throw error("can't evaluate field " + part + " in " + w);
      }
    }
    return v;
  }

  private static Object call(String name, List<Object> args) {
    return switch (name) {
      case "json" -> {
        Object v = arg(args, 0, name);
        yield new JsonString(v instanceof Missing ? "null" : v.toString());
      }
      case "index" -> {
        Object v = arg(args, 0, name);
        for (Object k : args.subList(1, args.size())) {
          if (v instanceof JsonObject o && k instanceof JsonString s) {
            // a missing key of a map gives the zero value (labels are strings)
            v = o.has(s.value()) ? o.get(s.value()) : new JsonString("");
          } else if (v instanceof JsonArray a && k instanceof JsonNumber n) {
            int i = n.intValue();
            if (i < 0 || i >= a.elements().size()) {
              throw error("index out of range: " + i);
            }
            v = a.elements().get(i);
          } else {
            throw error("can't index " + format(v, true) + " with " + format(k, true));
          }
        }
        yield v;
      }
      case "len" ->
          JsonNumber.of(
              switch (arg(args, 0, name)) {
                case JsonArray a -> a.elements().size();
                case JsonObject o -> o.members().size();
                case JsonString s -> s.value().length();
                case Missing m -> 0;
                default -> throw error("len of " + format(args.get(0), true));
              });
      case "join" -> {
        List<String> parts = new ArrayList<>();
        if (arg(args, 0, name) instanceof JsonArray a) {
          for (Json e : a.elements()) {
            parts.add(format(e, false));
          }
        }
        yield new JsonString(String.join(format(arg(args, 1, name), false), parts));
      }
      case "split" -> {
        List<Json> parts = new ArrayList<>();
        String s = format(arg(args, 0, name), false);
        String sep = format(arg(args, 1, name), false);
        for (String p :
            sep.isEmpty() ? s.split("") : s.split(java.util.regex.Pattern.quote(sep), -1)) {
          parts.add(new JsonString(p));
        }
        yield new JsonArray(parts);
      }
      case "upper" -> new JsonString(format(arg(args, 0, name), false).toUpperCase(Locale.ROOT));
      case "lower" -> new JsonString(format(arg(args, 0, name), false).toLowerCase(Locale.ROOT));
      case "title" -> {
        String s = format(arg(args, 0, name), false);
        StringBuilder b = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
          b.append(start ? Character.toUpperCase(c) : c);
          start = !Character.isLetterOrDigit(c);
        }
        yield new JsonString(b.toString());
      }
      case "print", "println" -> {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
          boolean strings =
              args.get(i) instanceof JsonString || (i > 0 && args.get(i - 1) instanceof JsonString);
          if (i > 0 && (name.equals("println") || !strings)) {
            b.append(' ');
          }
          b.append(format(args.get(i), true));
        }
        yield new JsonString(name.equals("println") ? b + "\n" : b.toString());
      }
      case "printf" ->
          new JsonString(printf(format(arg(args, 0, name), false), args.subList(1, args.size())));
      case "eq", "ne" -> {
        Object a = arg(args, 0, name);
        boolean eq = false;
        for (Object b : args.subList(1, args.size())) {
          eq |= format(a, true).equals(format(b, true));
        }
        yield bool(name.equals("eq") == eq);
      }
      case "not" -> bool(!truth(arg(args, 0, name)));
      case "and" -> {
        Object last = arg(args, 0, name);
        for (Object a : args) {
          last = a;
          if (!truth(a)) {
            break;
          }
        }
        yield last;
      }
      case "or" -> {
        Object last = arg(args, 0, name);
        for (Object a : args) {
          last = a;
          if (truth(a)) {
            break;
          }
        }
        yield last;
      }
      default -> throw error("function \"" + name + "\" not defined");
    };
  }

  private static JsonBool bool(boolean b) {
    return b ? JsonBool.TRUE : JsonBool.FALSE;
  }

  private static Object arg(List<Object> args, int i, String fn) {
    if (i >= args.size()) {
      throw error("wrong number of args for " + fn);
    }
    return args.get(i);
  }

  private static String printf(String fmt, List<Object> args) {
    StringBuilder b = new StringBuilder();
    int next = 0;
    for (int i = 0; i < fmt.length(); i++) {
      char c = fmt.charAt(i);
      if (c != '%' || i + 1 >= fmt.length()) {
        b.append(c);
        continue;
      }
      char verb = fmt.charAt(++i);
      if (verb == '%') {
        b.append('%');
        continue;
      }
      Object a = next < args.size() ? args.get(next++) : new Missing("");
      b.append(
          switch (verb) {
            case 'q' -> new JsonString(format(a, false)).toString();
            default -> format(a, true);
          });
    }
    return b.toString();
  }

  private static boolean isKnown(String field) {
    return LIST_FIELDS.contains(field)
        || MAP_FIELDS.contains(field)
        || STRING_FIELDS.contains(field)
        || BOOL_FIELDS.contains(field)
        || POINTER_FIELDS.contains(field);
  }

  private static boolean truth(Object v) {
    return switch (v) {
      case Missing m -> false;
      case JsonNull n -> false;
      case JsonBool b -> b.value();
      case JsonString s -> !s.value().isEmpty();
      case JsonNumber n -> n.doubleValue() != 0;
      case JsonArray a -> !a.elements().isEmpty();
      case JsonObject o -> !o.members().isEmpty();
      default -> true;
    };
  }

  /** Go's %v of the value; {@code top} is false for the elements of a list or map. */
  private static String format(Object v, boolean top) {
    return switch (v) {
      case Missing m -> {
        String f = m.field();
        yield LIST_FIELDS.contains(f)
            ? "[]"
            : MAP_FIELDS.contains(f)
                ? "map[]"
                : STRING_FIELDS.contains(f)
                    ? ""
                    : BOOL_FIELDS.contains(f)
                        ? "false"
                        : POINTER_FIELDS.contains(f) ? "<nil>" : "<no value>";
      }
      case JsonNull n -> "<nil>";
      case JsonString s -> s.value();
      case JsonNumber n -> n.toString();
      case JsonBool b -> String.valueOf(b.value());
      case JsonArray a -> {
        List<String> parts = new ArrayList<>();
        for (Json e : a.elements()) {
          parts.add(format(e, false));
        }
        yield "[" + String.join(" ", parts) + "]";
      }
      case JsonObject o -> {
        if (o.members().isEmpty() && !top) {
          yield "{}";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(o.members()).forEach((k, e) -> parts.add(k + ":" + format(e, false)));
        yield "map[" + String.join(" ", parts) + "]";
      }
      default -> v.toString();
    };
  }

  private static UserException error(String message) {
    return new UserException(ExitCodes.USAGE, "template: " + message);
  }
}
