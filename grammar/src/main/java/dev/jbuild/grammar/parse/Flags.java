package dev.jbuild.grammar.parse;

import dev.jbuild.grammar.Messages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The builder flags an instruction accepts and their values, parsed as BuildKit's BFlags does:
 * {@code --name=value}, booleans as {@code --name} or {@code --name=true|false}, repeatable string
 * flags collect every value.
 */
final class Flags {
  enum Kind {
    BOOL,
    STRING,
    STRINGS
  }

  /** A flag error at the flag's offset in the logical line. */
  static final class FlagException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int offset;

    FlagException(String message, int offset) {
      super(message);
      this.offset = offset;
    }
  }

  private final Map<String, Kind> spec;
  private final Map<String, String> single = new HashMap<>();
  private final Map<String, List<String>> multi = new HashMap<>();
  private final Map<String, Integer> offsets = new HashMap<>();

  private Flags(Map<String, Kind> spec) {
    this.spec = spec;
  }

  static Map<String, Kind> spec(Object... nameKind) {
    Map<String, Kind> m = new LinkedHashMap<>();
    for (int i = 0; i < nameKind.length; i += 2) {
      m.put((String) nameKind[i], (Kind) nameKind[i + 1]);
    }
    return m;
  }

  static Flags parse(Map<String, Kind> spec, List<RawLine.RawFlag> raw) {
    Flags f = new Flags(spec);
    for (RawLine.RawFlag flag : raw) {
      String word = flag.value();
      String body = word.substring(2);
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      String value = eq < 0 ? "" : body.substring(eq + 1);
      boolean hasValue = eq >= 0;
      Kind kind = spec.get(name);
      if (kind == null) {
        throw new FlagException(Messages.unknownFlag(name, spec.keySet()), flag.offset());
      }
      if (f.offsets.containsKey(name) && kind != Kind.STRINGS) {
        throw new FlagException(Messages.duplicateFlag(name), flag.offset());
      }
      f.offsets.put(name, flag.offset());
      switch (kind) {
        case BOOL -> {
          if (hasValue && value.isEmpty()) {
            throw new FlagException(Messages.missingFlagValue(name), flag.offset());
          }
          switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "" -> f.single.put(name, "true");
            case "false" -> f.single.put(name, "false");
            default -> throw new FlagException(Messages.badBooleanFlag(name, value), flag.offset());
          }
        }
        case STRING -> {
          if (!hasValue) {
            throw new FlagException(Messages.missingFlagValue(name), flag.offset());
          }
          f.single.put(name, value);
        }
        case STRINGS -> {
          if (!hasValue) {
            throw new FlagException(Messages.missingFlagValue(name), flag.offset());
          }
          f.multi.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return f;
  }

  Optional<String> string(String name) {
    return Optional.ofNullable(single.get(name));
  }

  boolean bool(String name) {
    return "true".equals(single.get(name));
  }

  /** Present only when the flag was given. */
  Optional<Boolean> optionalBool(String name) {
    return string(name).map(Boolean::parseBoolean);
  }

  List<String> strings(String name) {
    return multi.getOrDefault(name, List.of());
  }

  /** Offset of the (last) occurrence of the flag, or {@code fallback}. */
  int offset(String name, int fallback) {
    return offsets.getOrDefault(name, fallback);
  }
}
