package dev.jbuild.cli.template;

import static dev.jbuild.cli.template.GoValues.bool;
import static dev.jbuild.cli.template.GoValues.format;
import static dev.jbuild.cli.template.GoValues.truth;

import dev.jbuild.cli.template.GoValues.Missing;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonNumber;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The template functions: json, index, len, join, split, upper, lower, title, print, println,
 * printf, eq, ne, not, and, or.
 */
final class Functions {
  private Functions() {}

  static Object call(String name, List<Object> args) {
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
              throw new TemplateException("index out of range: " + i);
            }
            v = a.elements().get(i);
          } else {
            throw new TemplateException(
                "can't index " + format(v, true) + " with " + format(k, true));
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
                default -> throw new TemplateException("len of " + format(args.get(0), true));
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
      default -> throw new TemplateException("function \"" + name + "\" not defined");
    };
  }

  private static Object arg(List<Object> args, int i, String fn) {
    if (i >= args.size()) {
      throw new TemplateException("wrong number of args for " + fn);
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
}
