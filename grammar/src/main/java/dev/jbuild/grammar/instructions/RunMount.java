package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.Messages;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One {@code RUN --mount=...}: a CSV list of {@code key=value} fields, parsed as BuildKit's
 * runmount.go does (types bind, cache, tmpfs, secret, ssh; defaults: bind and secret and ssh
 * read-only, cache and tmpfs read-write). {@link #spec()} keeps the text so the stage scope can
 * re-parse it with variables expanded; at parse time fields holding a {@code $} are kept raw and
 * checked after expansion.
 */
public record RunMount(
    String spec,
    Type type,
    Optional<String> from,
    Optional<String> source,
    Optional<String> target,
    boolean readOnly,
    Optional<String> id,
    Optional<Sharing> sharing,
    Optional<Integer> mode,
    Optional<Integer> uid,
    Optional<Integer> gid,
    boolean required,
    Optional<Long> size,
    Optional<String> env) {

  public enum Type {
    BIND,
    CACHE,
    TMPFS,
    SECRET,
    SSH;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public enum Sharing {
    SHARED,
    PRIVATE,
    LOCKED
  }

  public RunMount {
    if (spec == null
        || type == null
        || from == null
        || source == null
        || target == null
        || id == null
        || sharing == null
        || mode == null
        || uid == null
        || gid == null
        || size == null
        || env == null) {
      throw new IllegalArgumentException("mount fields must not be null");
    }
  }

  /**
   * The path the mount appears at: the target, or for a secret /run/secrets/ID (none when the
   * secret only sets an env variable), for ssh /run/buildkit/ssh_agent.N (N = the index among the
   * RUN's ssh mounts, which the caller knows).
   */
  public Optional<String> effectiveTarget() {
    if (target.isPresent()) {
      return target;
    }
    return switch (type) {
      case SECRET ->
          env.isPresent()
              ? Optional.empty()
              : Optional.of("/run/secrets/" + baseName(effectiveId()));
      default -> Optional.empty();
    };
  }

  /**
   * The id: for a cache mount the id or else the target; for a secret the source, else the id, else
   * the target's base name; for ssh the id or "default".
   */
  public String effectiveId() {
    return switch (type) {
      case SECRET -> source.or(() -> id).orElseGet(() -> target.map(RunMount::baseName).orElse(""));
      case SSH -> id.orElse("default");
      default -> id.orElseGet(() -> target.orElse(""));
    };
  }

  private static String baseName(String p) {
    String s = p;
    while (s.length() > 1 && s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    int i = s.lastIndexOf('/');
    return i >= 0 && s.length() > 1 ? s.substring(i + 1) : s;
  }

  /**
   * Parses a mount spec.
   *
   * @param expander expands each value, or null at parse time (values holding '$' then stay raw and
   *     unchecked until the stage scope re-parses them)
   * @throws IllegalArgumentException with BuildKit's message
   */
  public static RunMount parse(String spec, UnaryOperator<String> expander) {
    Type type = Type.BIND;
    String from = null;
    String source = null;
    String target = null;
    Boolean readOnly = null;
    String id = null;
    Sharing sharing = null;
    Integer mode = null;
    Integer uid = null;
    Integer gid = null;
    boolean required = false;
    Long size = null;
    String env = null;
    for (String field : csvFields(spec)) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
      if (eq < 0) {
        switch (key) {
          case "readonly", "ro" -> readOnly = true;
          case "readwrite", "rw" -> readOnly = false;
          case "required" -> {
            if (type != Type.SECRET && type != Type.SSH) {
              throw new IllegalArgumentException(Messages.mountUnexpectedKey(key, type.id()));
            }
            required = true;
          }
          default -> throw new IllegalArgumentException(Messages.mountFieldNeedsValue(field));
        }
        continue;
      }
      String value = field.substring(eq + 1);
      if (key.equals("from")) {
        int dollar = value.indexOf('$');
        if (dollar >= 0 && dollar != value.length() - 1) {
          throw new IllegalArgumentException(Messages.fromVariable());
        }
      } else if (expander != null) {
        value = expander.apply(value);
      }
      boolean deferred = expander == null && value.indexOf('$') >= 0;
      switch (key) {
        case "type" -> {
          if (deferred) {
            continue;
          }
          type =
              switch (value.toLowerCase(Locale.ROOT)) {
                case "bind" -> Type.BIND;
                case "cache" -> Type.CACHE;
                case "tmpfs" -> Type.TMPFS;
                case "secret" -> Type.SECRET;
                case "ssh" -> Type.SSH;
                default -> throw new IllegalArgumentException(Messages.mountUnknownType(value));
              };
        }
        case "from" -> from = value;
        case "source", "src" -> source = value;
        case "target", "dst", "destination" -> target = value;
        case "readonly", "ro" -> {
          if (!deferred) {
            readOnly = parseBool(key, value);
          }
        }
        case "readwrite", "rw" -> {
          if (!deferred) {
            readOnly = !parseBool(key, value);
          }
        }
        case "required" -> {
          if (type != Type.SECRET && type != Type.SSH) {
            throw new IllegalArgumentException(Messages.mountUnexpectedKey(key, type.id()));
          }
          if (!deferred) {
            required = parseBool(key, value);
          }
        }
        case "size" -> {
          if (type != Type.TMPFS) {
            throw new IllegalArgumentException(Messages.mountUnexpectedKey(key, type.id()));
          }
          if (!deferred) {
            size = ramInBytes(key, value);
          }
        }
        case "id" -> id = value;
        case "sharing" -> {
          if (!deferred) {
            sharing =
                switch (value.toLowerCase(Locale.ROOT)) {
                  case "shared" -> Sharing.SHARED;
                  case "private" -> Sharing.PRIVATE;
                  case "locked" -> Sharing.LOCKED;
                  default ->
                      throw new IllegalArgumentException(Messages.mountInvalidValue(key, value));
                };
          }
        }
        case "mode" -> {
          if (!deferred) {
            mode = (int) parseUnsigned(key, value, 8, 07777);
          }
        }
        case "uid" -> {
          if (!deferred) {
            uid = (int) parseUnsigned(key, value, 10, 0xFFFF_FFFFL);
          }
        }
        case "gid" -> {
          if (!deferred) {
            gid = (int) parseUnsigned(key, value, 10, 0xFFFF_FFFFL);
          }
        }
        case "env" -> env = value;
        default -> throw new IllegalArgumentException(Messages.mountUnknownKey(key, field));
      }
    }
    boolean fileInfoAllowed = type == Type.SECRET || type == Type.SSH || type == Type.CACHE;
    if (!fileInfoAllowed) {
      if (mode != null) {
        throw new IllegalArgumentException(Messages.mountFileInfoNotAllowed("mode", type.id()));
      }
      if (uid != null) {
        throw new IllegalArgumentException(Messages.mountFileInfoNotAllowed("uid", type.id()));
      }
      if (gid != null) {
        throw new IllegalArgumentException(Messages.mountFileInfoNotAllowed("gid", type.id()));
      }
    }
    if (readOnly == null) {
      readOnly = type != Type.CACHE && type != Type.TMPFS;
    }
    if (sharing != null && type != Type.CACHE) {
      throw new IllegalArgumentException(Messages.mountSharingNotCache(type.id()));
    }
    if (type == Type.SECRET) {
      if (from != null) {
        throw new IllegalArgumentException(Messages.mountSecretFrom());
      }
      if (source == null && target == null && id == null && env == null) {
        throw new IllegalArgumentException(Messages.mountSecretTarget());
      }
      if (source != null && id != null) {
        throw new IllegalArgumentException(Messages.mountSecretSourceAndId());
      }
    }
    if (target == null && (type == Type.BIND || type == Type.CACHE || type == Type.TMPFS)) {
      throw new IllegalArgumentException(Messages.mountTargetRequired(type.id()));
    }
    return new RunMount(
        spec,
        type,
        Optional.ofNullable(from),
        Optional.ofNullable(source),
        Optional.ofNullable(target),
        readOnly,
        Optional.ofNullable(id),
        Optional.ofNullable(sharing),
        Optional.ofNullable(mode),
        Optional.ofNullable(uid),
        Optional.ofNullable(gid),
        required,
        Optional.ofNullable(size),
        Optional.ofNullable(env));
  }

  private static boolean parseBool(String key, String value) {
    // Go's strconv.ParseBool
    return switch (value) {
      case "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default -> throw new IllegalArgumentException(Messages.mountInvalidValue(key, value));
    };
  }

  private static long parseUnsigned(String key, String value, int radix, long max) {
    try {
      long v = Long.parseUnsignedLong(value, radix);
      if (v > max || value.startsWith("+")) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(Messages.mountInvalidValue(key, value));
    }
  }

  /** docker/go-units RAMInBytes: "64m", "1.5g", "1024", "10MiB" (binary units). */
  static long ramInBytes(String key, String value) {
    var m =
        java.util.regex.Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")
            .matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(Messages.mountInvalidValue(key, value));
    }
    double size;
    try {
      size = Double.parseDouble(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(Messages.mountInvalidValue(key, value));
    }
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    long mult =
        switch (unit) {
          case "k" -> 1L << 10;
          case "m" -> 1L << 20;
          case "g" -> 1L << 30;
          case "t" -> 1L << 40;
          case "p" -> 1L << 50;
          default -> 1L;
        };
    return (long) (size * mult);
  }

  /** encoding/csv semantics for one record: quotes around a field, "" inside is a quote. */
  static List<String> csvFields(String line) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (true) {
      StringBuilder field = new StringBuilder();
      if (i < n && line.charAt(i) == '"') {
        int col = i + 1;
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException(
                Messages.mountCsv("extraneous or missing \" in quoted-field at column " + col));
          }
          char c = line.charAt(i);
          if (c == '"') {
            if (i + 1 < n && line.charAt(i + 1) == '"') {
              field.append('"');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          field.append(c);
          i++;
        }
        if (i < n && line.charAt(i) != ',') {
          throw new IllegalArgumentException(
              Messages.mountCsv("extraneous or missing \" in quoted-field at column " + (i + 1)));
        }
      } else {
        while (i < n && line.charAt(i) != ',') {
          char c = line.charAt(i);
          if (c == '"') {
            throw new IllegalArgumentException(
                Messages.mountCsv("bare \" in non-quoted-field at column " + (i + 1)));
          }
          field.append(c);
          i++;
        }
      }
      out.add(field.toString());
      if (i >= n) {
        return out;
      }
      i++; // the comma
    }
  }
}
