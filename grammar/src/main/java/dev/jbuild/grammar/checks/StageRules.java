package dev.jbuild.grammar.checks;

import dev.jbuild.grammar.SourceRange;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.graph.StageScope;
import dev.jbuild.grammar.ignore.Dockerignore;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.ArgDeclaration;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.CmdInstruction;
import dev.jbuild.grammar.instructions.Command;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.EntrypointInstruction;
import dev.jbuild.grammar.instructions.EnvInstruction;
import dev.jbuild.grammar.instructions.ExposeInstruction;
import dev.jbuild.grammar.instructions.FileInstruction;
import dev.jbuild.grammar.instructions.HealthcheckInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.KeyValue;
import dev.jbuild.grammar.instructions.LabelInstruction;
import dev.jbuild.grammar.instructions.ShellInstruction;
import dev.jbuild.grammar.instructions.StopsignalInstruction;
import dev.jbuild.grammar.instructions.UserInstruction;
import dev.jbuild.grammar.instructions.VolumeInstruction;
import dev.jbuild.grammar.instructions.WorkdirInstruction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules BuildKit runs while dispatching a stage's instructions (only the stages a build needs;
 * every stage for {@code --check} without a target): UndefinedVar, WorkdirRelativePath,
 * JSONArgsRecommended, MultipleInstructionsDisallowed, LegacyKeyValueFormat, SecretsUsedInArgOrEnv,
 * ExposeProtoCasing, ExposeInvalidFormat, CopyIgnoredFile.
 */
final class StageRules {
  private static final String SCRATCH_PATH =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final Pattern SECRET =
      Pattern.compile(
          "(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)");
  private static final Pattern NOT_SECRET =
      Pattern.compile("(?i)(?:_|^)(?:public|file|version)(?:_|$)");
  private static final Set<String> NON_ENV_ARGS =
      Set.of("BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE");

  /** What a stage leaves to the stages built on it. */
  private record End(
      List<String> env, Set<String> declared, boolean known, boolean shell, boolean workdir) {}

  private final BuildPlan plan;
  private final BaseEnv bases;
  private final Optional<Dockerignore> ignore;
  private final List<Warning> out;
  private final char escape;
  private final Map<Integer, End> ends = new HashMap<>();

  StageRules(BuildPlan plan, BaseEnv bases, Optional<Dockerignore> ignore, List<Warning> out) {
    this.plan = plan;
    this.bases = bases;
    this.ignore =
        ignore.isPresent() && !ignore.get().isEmpty() && !ignore.get().hasExceptions()
            ? ignore
            : Optional.empty();
    this.out = out;
    this.escape = plan.dockerfile().escape();
  }

  void run(List<Stage> stages) {
    for (Stage s : stages) {
      try {
        stage(s);
      } catch (RuntimeException e) {
        // an expansion error fails the build itself, with its own message; stop checking here
        ends.put(s.index(), new End(List.of(), Set.of(), false, false, false));
      }
    }
  }

  private void add(Rule rule, String message, SourceRange range) {
    out.add(new Warning(rule, message, range));
  }

  private void stage(Stage stage) {
    End base = baseOf(stage);
    StageScope scope = plan.scope(stage, base.env());
    Set<String> declared = new HashSet<>(base.declared());
    boolean shell = base.shell();
    boolean workdir = base.workdir();
    Map<String, SourceRange> once = new HashMap<>();
    for (int idx = 0; idx < stage.instructions().size(); idx++) {
      Instruction raw = stage.instructions().get(idx);
      String keyword = Words.first(raw.text());
      if (base.known()) {
        undefinedVars(raw, scope, declared);
      }
      if (raw instanceof ArgInstruction a) {
        for (ArgDeclaration d : a.args()) {
          secret("ARG", d.name(), a.range());
          declared.add(d.name());
        }
      } else if (raw instanceof EnvInstruction e) {
        legacy(e, keyword);
        for (KeyValue kv : e.variables()) {
          secret("ENV", kv.key(), e.range());
        }
      } else if (raw instanceof LabelInstruction l) {
        legacy(l, keyword);
      } else if (raw instanceof WorkdirInstruction w) {
        if (!workdir) {
          String path = scope.expandWord(w.path());
          if (!path.startsWith("/")) {
            add(
                Rule.WORKDIR_RELATIVE_PATH,
                "Relative workdir \""
                    + path
                    + "\" can have unexpected results if the base image changes",
                w.range());
          }
        }
        workdir = true;
      } else if (raw instanceof CmdInstruction c) {
        used(once, "CMD", keyword, c.range());
        jsonArgs(c.command(), shell, keyword, c.range());
      } else if (raw instanceof EntrypointInstruction c) {
        used(once, "ENTRYPOINT", keyword, c.range());
        jsonArgs(c.command(), shell, keyword, c.range());
      } else if (raw instanceof HealthcheckInstruction h) {
        used(once, "HEALTHCHECK", keyword, h.range());
      } else if (raw instanceof ShellInstruction) {
        shell = true;
      } else if (raw instanceof ExposeInstruction x) {
        expose((ExposeInstruction) scope.expand(x));
      } else if (raw instanceof FileInstruction f) {
        copyIgnored(stage, idx, f, scope);
      }
      scope = scope.apply(raw);
    }
    ends.put(stage.index(), new End(scope.env(), declared, base.known(), shell, workdir));
  }

  private End baseOf(Stage stage) {
    SourceRef ref = stage.baseRef();
    if (ref instanceof SourceRef.StageRef r) {
      End e = ends.get(r.index());
      return e != null ? e : new End(List.of(), Set.of(), false, false, false);
    }
    if (ref instanceof SourceRef.Scratch) {
      return new End(List.of(SCRATCH_PATH), Set.of(), true, false, false);
    }
    Optional<List<String>> env = bases.of(stage.base());
    return new End(env.orElse(List.of()), Set.of(), env.isPresent(), false, false);
  }

  /** UndefinedVar: the variables an expanded instruction looks up that nothing defines. */
  private void undefinedVars(Instruction raw, StageScope scope, Set<String> declared) {
    List<String> words = new ArrayList<>();
    if (raw instanceof ArgInstruction a) {
      Set<String> earlier = new HashSet<>();
      for (ArgDeclaration d : a.args()) {
        if (d.defaultValue().isPresent()) {
          report(raw, VarRefs.of(d.defaultValue().get(), escape), scope, declared, earlier);
        }
        earlier.add(d.name());
      }
      return;
    } else if (raw instanceof EnvInstruction e) {
      pairs(e.variables(), words);
    } else if (raw instanceof LabelInstruction l) {
      pairs(l.labels(), words);
    } else if (raw instanceof FileInstruction f) {
      words.addAll(f.sources());
      words.add(f.destination());
      words.add(f.chown().orElse(""));
      words.add(f.chmod().orElse(""));
      words.addAll(f.excludes());
    } else if (raw instanceof ExposeInstruction x) {
      words.addAll(x.ports());
    } else if (raw instanceof WorkdirInstruction w) {
      words.add(w.path());
    } else if (raw instanceof UserInstruction u) {
      words.add(u.user());
    } else if (raw instanceof VolumeInstruction v) {
      words.addAll(v.volumes());
    } else if (raw instanceof StopsignalInstruction s) {
      words.add(s.signal());
    } else {
      return;
    }
    Set<String> refs = new LinkedHashSet<>();
    for (String w : words) {
      refs.addAll(VarRefs.of(w, escape));
    }
    report(raw, refs, scope, declared, Set.of());
  }

  private void report(
      Instruction raw,
      Set<String> refs,
      StageScope scope,
      Set<String> declared,
      Set<String> earlier) {
    for (String name : refs) {
      if (scope.lookup(name) != null
          || declared.contains(name)
          || earlier.contains(name)
          || NON_ENV_ARGS.contains(name)) {
        continue;
      }
      Set<String> options = new LinkedHashSet<>();
      for (String kv : scope.env()) {
        int eq = kv.indexOf('=');
        options.add(eq < 0 ? kv : kv.substring(0, eq));
      }
      options.addAll(scope.args().keySet());
      String suggest = Suggest.search(name, options);
      add(
          Rule.UNDEFINED_VAR,
          "Usage of undefined variable '$"
              + name
              + "'"
              + (suggest.isEmpty() ? "" : " (did you mean $" + suggest + "?)"),
          raw.range());
    }
  }

  private static void pairs(List<KeyValue> kvs, List<String> words) {
    for (KeyValue kv : kvs) {
      words.add(kv.key());
      words.add(kv.value());
    }
  }

  private void secret(String instruction, String key, SourceRange at) {
    if (SECRET.matcher(key).find() && !NOT_SECRET.matcher(key).find()) {
      add(
          Rule.SECRETS_USED_IN_ARG_OR_ENV,
          "Do not use ARG or ENV instructions for sensitive data ("
              + instruction
              + " \""
              + key
              + "\")",
          at);
    }
  }

  /** ENV/LABEL {@code key value}: the first word after the keyword has no '='. */
  private void legacy(Instruction i, String keyword) {
    String rest = Words.afterKeyword(i.text());
    String first = Words.first(rest);
    if (!first.isEmpty() && first.indexOf('=') < 0) {
      add(
          Rule.LEGACY_KEY_VALUE_FORMAT,
          "\""
              + keyword
              + " key=value\" should be used instead of legacy \""
              + keyword
              + " key value\" format",
          i.range());
    }
  }

  /** MultipleInstructionsDisallowed, reported at the earlier instruction (the one ignored). */
  private void used(Map<String, SourceRange> once, String kind, String keyword, SourceRange at) {
    SourceRange previous = once.put(kind, at);
    if (previous != null) {
      add(
          Rule.MULTIPLE_INSTRUCTIONS_DISALLOWED,
          "Multiple "
              + keyword
              + " instructions should not be used in the same stage because only the last one will be used",
          previous);
    }
  }

  private void jsonArgs(Command command, boolean shellSet, String keyword, SourceRange at) {
    if (command instanceof Command.ShellForm && !shellSet) {
      add(
          Rule.JSON_ARGS_RECOMMENDED,
          "JSON arguments recommended for "
              + keyword
              + " to prevent unintended behavior related to OS signals",
          at);
    }
  }

  /** BuildKit's portSpecs: {@code [ip:[hostPort:]]containerPort[/proto]}. */
  private void expose(ExposeInstruction x) {
    for (String raw : x.ports()) {
      String rest = raw;
      boolean ipOrHost = false;
      int bracket = rest.lastIndexOf(']');
      int colon = rest.lastIndexOf(':');
      if (colon > bracket) {
        ipOrHost = true;
        rest = rest.substring(colon + 1);
      }
      int slash = rest.indexOf('/');
      String proto = slash < 0 ? "" : rest.substring(slash + 1);
      if (!proto.equals(proto.toLowerCase(java.util.Locale.ROOT))) {
        add(
            Rule.EXPOSE_PROTO_CASING,
            "Defined protocol '" + raw + "' in EXPOSE instruction should be lowercase",
            x.range());
      }
      if (ipOrHost) {
        add(
            Rule.EXPOSE_INVALID_FORMAT,
            "EXPOSE instruction should not define an IP address or host-port mapping, found '"
                + raw
                + "'",
            x.range());
      }
    }
  }

  /** CopyIgnoredFile: a context source of COPY/ADD that .dockerignore excludes. */
  private void copyIgnored(Stage stage, int idx, FileInstruction raw, StageScope scope) {
    if (ignore.isEmpty()) {
      return;
    }
    if (raw instanceof CopyInstruction c && c.from().isPresent()) {
      return;
    }
    if (stage.copySource(idx).isPresent()) {
      return;
    }
    FileInstruction f = (FileInstruction) scope.expand(raw);
    String cmd = raw instanceof AddInstruction ? "Add" : "Copy";
    for (String src : f.sources()) {
      if (raw instanceof AddInstruction && src.contains("://") || src.startsWith("git@")) {
        continue;
      }
      String clean = Clean.path(src);
      if ((clean.equals(".") || clean.equals("/")) && !rootIgnored(ignore.get())) {
        continue;
      }
      if (ignore.get().excludes(clean)) {
        add(
            Rule.COPY_IGNORED_FILE,
            "Attempting to " + cmd + " file \"" + clean + "\" that is excluded by .dockerignore",
            raw.range());
      }
    }
  }

  private static boolean rootIgnored(Dockerignore ignore) {
    for (String p : ignore.patterns()) {
      if (p.equals("*") || p.equals("**") || p.equals("**/*")) {
        return true;
      }
    }
    return false;
  }
}
