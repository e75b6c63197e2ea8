package dev.jbuild.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a method and a path (version prefix already stripped) to a handler, with docker's path
 * patterns: {@code {id}} is one segment, {@code {name:.*}} any run of characters including slashes
 * (image names such as {@code 127.0.0.1:5000/team/app:1}). Routes are tried in the order they were
 * added, so {@code /images/json} goes before {@code /images/{name:.*}/json}.
 */
public final class Router {
  private final List<Route> routes = new ArrayList<>();

  /** A route that matched: its handler and the decoded path parameters. */
  public record Match(Handler handler, Map<String, String> params) {}

  private record Route(String method, Pattern pattern, List<String> names, Handler handler) {}

  private static final Pattern PARAM = Pattern.compile("\\{([A-Za-z]+)(:\\.\\*)?}");

  public Router add(String method, String pattern, Handler handler) {
    StringBuilder regex = new StringBuilder();
    List<String> names = new ArrayList<>();
    Matcher m = PARAM.matcher(pattern);
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(pattern.substring(last, m.start())));
      regex.append(m.group(2) != null ? "(.+)" : "([^/]+)");
      names.add(m.group(1));
      last = m.end();
    }
    regex.append(Pattern.quote(pattern.substring(last)));
    routes.add(new Route(method, Pattern.compile(regex.toString()), List.copyOf(names), handler));
    return this;
  }

  /** The first route for this method and path, or null (the server answers docker's 404). */
  public Match find(String method, String path) {
    for (Route r : routes) {
      if (!r.method.equals(method) && !(method.equals("HEAD") && r.method.equals("GET"))) {
        continue;
      }
      Matcher m = r.pattern.matcher(path);
      if (m.matches()) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < r.names.size(); i++) {
          params.put(r.names.get(i), m.group(i + 1));
        }
        return new Match(r.handler, params);
      }
    }
    return null;
  }

  /** Whether some route has this path under another method (the server answers 405 then). */
  public boolean hasPath(String path) {
    for (Route r : routes) {
      if (r.pattern.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }
}
