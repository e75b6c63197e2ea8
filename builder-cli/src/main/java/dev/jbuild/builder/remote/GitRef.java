package dev.jbuild.builder.remote;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A git source as BuildKit reads one ({@code dfgitutil.ParseGitRef}, {@code gitutil.ParseURL}):
 * {@code https://host/repo.git}, {@code http://...git}, {@code git://...}, {@code ssh://...} and
 * scp-style {@code user@host:path}, each with an optional {@code #ref[:subdir]} fragment and the
 * newer query form {@code ?ref=|tag=|branch=|subdir=|checksum=|commit=|keep-git-dir=|submodules=|
 * mtime=}. An http(s) URL is git only when its path ends in {@code .git}; {@code github.com/...}
 * without a scheme is git only as a build context (BuildKit's deprecated form).
 *
 * @param remote the URL git fetches (no fragment, no query)
 * @param ref the ref (branch, tag, full ref or commit), empty for the remote's HEAD
 * @param subdir the directory of the repository to use, "" for its root (cleaned, no leading /)
 * @param checksum the commit (or a prefix of it) the ref must resolve to, "" when not pinned
 * @param keepGitDir the query's keep-git-dir, when given
 * @param submodules false when the query turns submodules off
 * @param commitMtime true for {@code mtime=commit} (files get the commit's time)
 */
public record GitRef(
    String remote,
    String ref,
    String subdir,
    String checksum,
    Optional<Boolean> keepGitDir,
    boolean submodules,
    boolean commitMtime) {

  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z0-9]+)://");
  private static final Pattern SCP =
      Pattern.compile("^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\\?(.*?))?(?:#(.*))?$");

  /** What a source string is: not git, git, or git written wrong. */
  public sealed interface Parsed {}

  /** Not a git source (a context path, an http(s) URL without {@code .git}). */
  public record NotGit() implements Parsed {}

  /** A git source. */
  public record Git(GitRef ref) implements Parsed {}

  /** A git source written wrong: the reason. */
  public record Invalid(String why) implements Parsed {}

  /** ADD's rule: which sources are git (never {@code github.com/...} without a scheme). */
  public static Parsed parse(String source) {
    return parse(source, false);
  }

  /**
   * @param context true for a build context, where {@code github.com/owner/repo} counts as git
   */
  public static Parsed parse(String source, boolean context) {
    if (source.startsWith("./") || source.startsWith("../")) {
      return new NotGit();
    }
    String scheme;
    String rest;
    String host;
    String path;
    String query = null;
    String fragment = null;
    Matcher m = SCHEME.matcher(source);
    boolean githubShort = context && source.startsWith("github.com/");
    if (m.find() || githubShort) {
      scheme = githubShort ? "https" : m.group(1).toLowerCase(Locale.ROOT);
      if (!List.of("http", "https", "ssh", "git").contains(scheme)) {
        return new NotGit();
      }
      String s = githubShort ? "https://" + source : source;
      int hash = s.indexOf('#');
      if (hash >= 0) {
        fragment = s.substring(hash + 1);
        s = s.substring(0, hash);
      }
      int q = s.indexOf('?');
      if (q >= 0) {
        query = s.substring(q + 1);
        s = s.substring(0, q);
      }
      URI uri;
      try {
        uri = new URI(s);
      } catch (Exception e) {
        return (scheme.equals("http") || scheme.equals("https"))
            ? new NotGit()
            : new Invalid("invalid git URL " + source + ": " + e.getMessage());
      }
      host = uri.getHost();
      path = uri.getPath() == null ? "" : uri.getPath();
      boolean http = scheme.equals("http") || scheme.equals("https");
      if (http && !githubShort && !path.endsWith(".git")) {
        return new NotGit();
      }
      if (host == null || host.isEmpty()) {
        return new Invalid("invalid git URL " + source + ": no host");
      }
      rest = s;
    } else {
      Matcher scp = SCP.matcher(source);
      if (!scp.matches()) {
        return new NotGit();
      }
      query = scp.group(4);
      fragment = scp.group(5);
      rest = scp.group(1) + "@" + scp.group(2) + ":" + scp.group(3);
    }
    try {
      return new Git(build(rest, fragment, query).orElseThrow());
    } catch (IllegalArgumentException e) {
      return new Invalid("invalid git URL " + source + ": " + e.getMessage());
    }
  }

  private static Optional<GitRef> build(String remote, String fragment, String query) {
    String ref = "";
    String subdir = "";
    if (fragment != null && !fragment.isEmpty()) {
      int colon = fragment.indexOf(':');
      ref = colon >= 0 ? fragment.substring(0, colon) : fragment;
      subdir = colon >= 0 ? cleanSubdir(fragment.substring(colon + 1)) : "";
    }
    String checksum = "";
    Optional<Boolean> keep = Optional.empty();
    boolean submodules = true;
    boolean commitMtime = false;
    String tag = "";
    String branch = "";
    for (Map.Entry<String, List<String>> e : query(query).entrySet()) {
      String k = e.getKey();
      List<String> v = e.getValue();
      if (v.size() > 1) {
        throw new IllegalArgumentException("query \"" + k + "\" has multiple values");
      }
      String value = v.isEmpty() ? "" : v.getFirst();
      boolean flag = List.of("submodules", "keep-git-dir", "fetch-by-commit").contains(k);
      if (value.isEmpty() && !flag) {
        throw new IllegalArgumentException("query \"" + k + "\" has no value");
      }
      switch (k) {
        case "ref" -> {
          if (!ref.isEmpty() && !ref.equals(value)) {
            throw new IllegalArgumentException(
                "ref conflicts: \"" + ref + "\" vs \"" + value + "\"");
          }
          ref = value;
        }
        case "tag" -> tag = value;
        case "branch" -> branch = value;
        case "subdir" -> {
          String s = cleanSubdir(value);
          if (!subdir.isEmpty() && !subdir.equals(s)) {
            throw new IllegalArgumentException(
                "subdir conflicts: \"" + subdir + "\" vs \"" + s + "\"");
          }
          subdir = s;
        }
        case "checksum", "commit" -> checksum = value;
        case "keep-git-dir" -> keep = Optional.of(bool(k, value));
        case "submodules" -> submodules = bool(k, value);
        case "fetch-by-commit" -> bool(k, value); // jbuild always fetches what it resolved
        case "mtime" -> {
          if (!value.equals("checkout") && !value.equals("commit")) {
            throw new IllegalArgumentException(
                "invalid mtime value: \"" + value + "\" (must be \"checkout\" or \"commit\")");
          }
          commitMtime = value.equals("commit");
        }
        default -> throw new IllegalArgumentException("unexpected query \"" + k + "\"");
      }
    }
    if (!tag.isEmpty()) {
      String t = tag.startsWith("refs/tags/") ? tag : "refs/tags/" + tag;
      if (!ref.isEmpty() && !ref.equals(t)) {
        throw new IllegalArgumentException("ref conflicts: \"" + ref + "\" vs \"" + t + "\"");
      }
      ref = t;
    }
    if (!branch.isEmpty()) {
      if (!tag.isEmpty()) {
        throw new IllegalArgumentException("branch conflicts with tag");
      }
      String b = branch.startsWith("refs/heads/") ? branch : "refs/heads/" + branch;
      if (!ref.isEmpty() && !ref.equals(b)) {
        throw new IllegalArgumentException("ref conflicts: \"" + ref + "\" vs \"" + b + "\"");
      }
      ref = b;
    }
    return Optional.of(new GitRef(remote, ref, subdir, checksum, keep, submodules, commitMtime));
  }

  private static boolean bool(String key, String value) {
    return switch (value.isEmpty() ? "true" : value.toLowerCase(Locale.ROOT)) {
      case "1", "t", "true" -> true;
      case "0", "f", "false" -> false;
      default -> throw new IllegalArgumentException("invalid " + key + " value: \"" + value + "\"");
    };
  }

  private static Map<String, List<String>> query(String query) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq >= 0 ? pair.substring(0, eq) : pair);
      List<String> values = out.computeIfAbsent(k, x -> new ArrayList<>());
      if (eq >= 0) {
        values.add(decode(pair.substring(eq + 1)));
      }
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** {@code path.Join("/", subdir)} without its leading slash: "." and ".." parts resolved. */
  static String cleanSubdir(String subdir) {
    List<String> parts = new ArrayList<>();
    for (String p : subdir.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (!parts.isEmpty()) {
          parts.removeLast();
        }
        continue;
      }
      parts.add(p);
    }
    return String.join("/", parts);
  }

  /** The scheme git uses: https, http, git or ssh (scp-style is ssh). */
  public String scheme() {
    Matcher m = SCHEME.matcher(remote);
    return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "ssh";
  }

  /** The host (and port) of the remote, for credentials and the http policy. */
  public String hostPort() {
    Matcher m = SCHEME.matcher(remote);
    if (m.find()) {
      URI u = URI.create(remote);
      return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
    }
    Matcher scp = SCP.matcher(remote);
    return scp.matches() ? scp.group(2) : "";
  }

  /** The remote without a password, for messages and {@code .git/config}. */
  public String redacted() {
    return remote.replaceFirst("^([a-zA-Z0-9]+://)[^/@]*:[^/@]*@", "$1xxxxx@");
  }
}
