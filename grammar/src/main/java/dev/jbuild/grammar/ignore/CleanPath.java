package dev.jbuild.grammar.ignore;

import java.util.ArrayDeque;
import java.util.Deque;

/** Go's path/filepath.Clean for '/'-separated paths. */
final class CleanPath {
  private CleanPath() {}

  static String clean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.charAt(0) == '/';
    Deque<String> out = new ArrayDeque<>();
    int dotdots = 0;
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty()) {
          out.removeLast();
        } else if (!rooted) {
          dotdots++;
        }
        continue;
      }
      out.addLast(part);
    }
    StringBuilder sb = new StringBuilder();
    if (rooted) {
      sb.append('/');
    }
    for (int i = 0; i < dotdots; i++) {
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '/') {
        sb.append('/');
      }
      sb.append("..");
    }
    for (String p : out) {
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '/') {
        sb.append('/');
      }
      sb.append(p);
    }
    if (sb.isEmpty()) {
      return ".";
    }
    return sb.toString();
  }
}
