package dev.jbuild.runner;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.spec.SpecWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A seccomp profile in Docker's format ({@code profiles/seccomp/default.json}: default action, an
 * {@code archMap}, syscall rules conditioned with {@code includes}/{@code excludes} on
 * capabilities, architectures and kernel versions) and its translation into the OCI runtime spec's
 * {@code linux.seccomp} for a process with a given bounding capability set, by moby's rules: a rule
 * is kept when all its {@code includes.caps} are in the bounding set and none of its {@code
 * excludes.caps} is; the architectures are the native one and its sub-architectures.
 *
 * <p>{@link #dockerDefault()} is moby's default profile, kept as the resource {@code
 * seccomp-default.json} (Apache-2.0, from github.com/moby/profiles). {@link #UNCONFINED} means no
 * filter ({@code --security-opt seccomp=unconfined}).
 */
public final class SeccompProfile {
  /** No seccomp filter at all. */
  public static final SeccompProfile UNCONFINED = new SeccompProfile(null, "unconfined");

  /** Profiles given by the user are bounded (Docker's default profile is 13 KB). */
  static final long MAX_FILE_BYTES = 1 << 20;

  private static final String RESOURCE = "seccomp-default.json";

  private final JsonObject profile;
  private final String origin;
  private final Map<List<String>, JsonObject> translated = new ConcurrentHashMap<>();

  private SeccompProfile(JsonObject profile, String origin) {
    this.profile = profile;
    this.origin = origin;
  }

  private static final class Default {
    static final SeccompProfile INSTANCE = loadDefault();
  }

  /** moby's default profile. */
  public static SeccompProfile dockerDefault() {
    return Default.INSTANCE;
  }

  /** A profile file in Docker's JSON format ({@code --security-opt seccomp=FILE}). */
  public static SeccompProfile load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new RunnerException(
          "seccomp profile " + file + ": not a regular file", RunnerErrors.CANNOT_CREATE);
    }
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new RunnerException(
          "seccomp profile " + file + ": larger than " + MAX_FILE_BYTES + " bytes",
          RunnerErrors.CANNOT_CREATE);
    }
    byte[] bytes = Files.readAllBytes(file);
    return parse(bytes, file.toString());
  }

  static SeccompProfile parse(byte[] bytes, String origin) throws RunnerException {
    JsonObject o;
    try {
      o = Json.parseObject(bytes);
    } catch (IllegalArgumentException e) {
      throw new RunnerException(
          "seccomp profile " + origin + ": " + e.getMessage(), RunnerErrors.CANNOT_CREATE);
    }
    SeccompProfile p = new SeccompProfile(o, origin);
    // reject a malformed profile now, and keep the filter most processes get
    p.translated.put(
        List.copyOf(SpecWriter.DEFAULT_CAPABILITIES), p.translate(SpecWriter.DEFAULT_CAPABILITIES));
    return p;
  }

  private static SeccompProfile loadDefault() {
    try (InputStream in = SeccompProfile.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return parse(in.readAllBytes(), "default");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + RESOURCE, e);
    }
  }

  public boolean isUnconfined() {
    return profile == null;
  }

  /** "default", "unconfined" or the file it came from. */
  public String origin() {
    return origin;
  }

  /**
   * The OCI runtime spec's {@code linux.seccomp} for a process whose bounding set is {@code caps},
   * or null for no filter.
   */
  public JsonObject linuxSeccomp(List<String> caps) {
    if (profile == null) {
      return null;
    }
    return translated.computeIfAbsent(
        List.copyOf(caps),
        c -> {
          try {
            return translate(c);
          } catch (RunnerException e) {
            throw new IllegalStateException(e.getMessage(), e);
          }
        });
  }

  /** {@link #linuxSeccomp} as compact JSON text, or null for no filter. */
  public String ociJson(List<String> caps) {
    JsonObject o = linuxSeccomp(caps);
    return o == null ? null : o.toString();
  }

  private JsonObject translate(List<String> caps) throws RunnerException {
    String defaultAction = profile.string("defaultAction", "");
    JsonArray rules = arrayOrEmpty(profile, "syscalls");
    if (defaultAction.isEmpty() && rules.isEmpty()) {
      return null; // Docker's rule: nothing to filter
    }
    if (defaultAction.isEmpty()) {
      throw bad("no defaultAction");
    }
    JsonObject.Builder out = JsonObject.builder().put("defaultAction", defaultAction);
    if (profile.hasValue("defaultErrnoRet")) {
      out.put("defaultErrnoRet", profile.get("defaultErrnoRet"));
    }
    JsonArray arches = arrayOrEmpty(profile, "architectures");
    JsonArray archMap = arrayOrEmpty(profile, "archMap");
    if (!arches.isEmpty() && !archMap.isEmpty()) {
      throw bad("both 'architectures' and 'archMap' are given; use one");
    }
    List<String> architectures = new ArrayList<>(strings(arches, "architectures"));
    Arch arch = Arch.NATIVE;
    for (Json a : archMap.elements()) {
      JsonObject entry = object(a, "archMap");
      if (arch.seccomp().equals(entry.string("architecture"))) {
        architectures.add(arch.seccomp());
        architectures.addAll(strings(arrayOrEmpty(entry, "subArchitectures"), "archMap"));
        break;
      }
    }
    if (!Kernel.X32) {
      // this kernel has no x32 ABI (x32 system calls fail with ENOSYS before any filter), so the
      // sub-architecture only costs libseccomp time (~15 ms of every runc start, measured): left
      // out, an x32 call still cannot run (the filter's bad-architecture action kills it)
      architectures.remove("SCMP_ARCH_X32");
    }
    if (!architectures.isEmpty()) {
      out.put("architectures", Json.ofStrings(architectures));
    }
    if (profile.hasValue("flags")) {
      out.put("flags", profile.get("flags"));
    }
    List<Json> syscalls = new ArrayList<>();
    for (Json r : rules.elements()) {
      JsonObject rule = object(r, "syscalls");
      List<String> names = new ArrayList<>();
      if (rule.hasValue("name")) {
        if (rule.hasValue("names") && !rule.array("names").isEmpty()) {
          throw bad("a rule has both 'name' and 'names'");
        }
        names.add(rule.string("name"));
      } else {
        names.addAll(strings(arrayOrEmpty(rule, "names"), "names"));
      }
      if (!applies(rule, caps, arch)) {
        continue;
      }
      String action = rule.string("action", "");
      if (action.isEmpty()) {
        throw bad("a rule for " + names + " has no action");
      }
      JsonObject.Builder s =
          JsonObject.builder().put("names", Json.ofStrings(names)).put("action", action);
      if (rule.hasValue("errnoRet")) {
        s.put("errnoRet", rule.get("errnoRet"));
      }
      JsonArray args = arrayOrEmpty(rule, "args");
      if (!args.isEmpty()) {
        List<Json> outArgs = new ArrayList<>();
        for (Json a : args.elements()) {
          JsonObject arg = object(a, "args");
          JsonObject.Builder b = JsonObject.builder();
          b.put("index", number(arg, "index"));
          b.put("value", number(arg, "value"));
          b.put("valueTwo", arg.hasValue("valueTwo") ? number(arg, "valueTwo") : Json.of(0));
          b.put("op", arg.string("op", ""));
          outArgs.add(b.build());
        }
        s.put("args", new JsonArray(outArgs));
      }
      syscalls.add(s.build());
    }
    out.put("syscalls", new JsonArray(syscalls));
    return out.build();
  }

  /** moby's includes/excludes: arches, caps (of the bounding set), minKernel. */
  private boolean applies(JsonObject rule, List<String> caps, Arch arch) throws RunnerException {
    JsonObject excludes =
        rule.hasValue("excludes") ? object(rule.get("excludes"), "excludes") : null;
    if (excludes != null) {
      if (strings(arrayOrEmpty(excludes, "arches"), "arches").contains(arch.native_())) {
        return false;
      }
      for (String c : strings(arrayOrEmpty(excludes, "caps"), "caps")) {
        if (caps.contains(c)) {
          return false;
        }
      }
      if (excludes.hasValue("minKernel") && Kernel.atLeast(excludes.string("minKernel"))) {
        return false;
      }
    }
    JsonObject includes =
        rule.hasValue("includes") ? object(rule.get("includes"), "includes") : null;
    if (includes != null) {
      List<String> arches = strings(arrayOrEmpty(includes, "arches"), "arches");
      if (!arches.isEmpty() && !arches.contains(arch.native_())) {
        return false;
      }
      for (String c : strings(arrayOrEmpty(includes, "caps"), "caps")) {
        if (!caps.contains(c)) {
          return false;
        }
      }
      if (includes.hasValue("minKernel") && !Kernel.atLeast(includes.string("minKernel"))) {
        return false;
      }
    }
    return true;
  }

  private Json number(JsonObject o, String key) throws RunnerException {
    Json v = o.get(key);
    if (!(v instanceof dev.jbuild.layercache.json.JsonNumber n)) {
      throw bad("'" + key + "' of an argument is not a number");
    }
    if (n.decimalValue().signum() < 0) {
      throw bad("'" + key + "' of an argument is negative");
    }
    return n;
  }

  private JsonArray arrayOrEmpty(JsonObject o, String key) throws RunnerException {
    if (!o.hasValue(key)) {
      return JsonArray.EMPTY;
    }
    if (o.get(key) instanceof JsonArray a) {
      return a;
    }
    throw bad("'" + key + "' is not an array");
  }

  private JsonObject object(Json j, String where) throws RunnerException {
    if (j instanceof JsonObject o) {
      return o;
    }
    throw bad("an entry of '" + where + "' is not an object");
  }

  private List<String> strings(JsonArray a, String where) throws RunnerException {
    List<String> out = new ArrayList<>(a.size());
    for (Json j : a.elements()) {
      if (!(j instanceof dev.jbuild.layercache.json.JsonString s)) {
        throw bad("an entry of '" + where + "' is not a string");
      }
      out.add(s.value());
    }
    return out;
  }

  private RunnerException bad(String why) {
    return new RunnerException(
        "seccomp profile " + origin + ": " + why, RunnerErrors.CANNOT_CREATE);
  }

  /** This machine's architecture: libseccomp's native name (as in profiles) and SCMP_ARCH_*. */
  record Arch(String native_, String seccomp) {
    static final Arch NATIVE = of(System.getProperty("os.arch", ""));

    static Arch of(String javaArch) {
      return switch (javaArch.toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> new Arch("amd64", "SCMP_ARCH_X86_64");
        case "aarch64", "arm64" -> new Arch("arm64", "SCMP_ARCH_AARCH64");
        case "x86", "i386", "i686" -> new Arch("x86", "SCMP_ARCH_X86");
        case "arm" -> new Arch("arm", "SCMP_ARCH_ARM");
        case "ppc64le" -> new Arch("ppc64le", "SCMP_ARCH_PPC64LE");
        case "s390x" -> new Arch("s390x", "SCMP_ARCH_S390X");
        case "riscv64" -> new Arch("riscv64", "SCMP_ARCH_RISCV64");
        case "loongarch64" -> new Arch("loong64", "SCMP_ARCH_LOONGARCH64");
        default -> new Arch(javaArch, "SCMP_ARCH_" + javaArch.toUpperCase(Locale.ROOT));
      };
    }
  }

  /** The running kernel's "major.minor", compared as moby does, and whether it has the x32 ABI. */
  static final class Kernel {
    private static final int[] RUNNING = parse(System.getProperty("os.version", "0.0"));
    static final boolean X32 = hasX32();

    /** getpid through the x32 ABI (x86_64 only): ENOSYS when the kernel was built without it. */
    private static boolean hasX32() {
      if (!Arch.NATIVE.native_().equals("amd64")) {
        return true; // only x86_64 has x32: leave any profile as it is
      }
      try {
        java.lang.invoke.MethodHandle syscall =
            dev.jbuild.layercache.fs.Native.downcallNoErrno(
                "syscall",
                java.lang.foreign.FunctionDescriptor.of(
                    java.lang.foreign.ValueLayout.JAVA_LONG,
                    java.lang.foreign.ValueLayout.JAVA_LONG));
        long rc = (long) syscall.invokeExact(0x40000000L + 39);
        return rc >= 0;
      } catch (Throwable t) {
        return true; // unknown: keep Docker's list
      }
    }

    static boolean atLeast(String version) {
      int[] want = parse(version);
      return RUNNING[0] > want[0] || (RUNNING[0] == want[0] && RUNNING[1] >= want[1]);
    }

    static int[] parse(String v) {
      String[] parts = v.split("[.\\-+]", 3);
      return new int[] {leadingInt(parts, 0), leadingInt(parts, 1)};
    }

    private static int leadingInt(String[] parts, int i) {
      if (i >= parts.length) {
        return 0;
      }
      String s = parts[i];
      int end = 0;
      while (end < s.length() && end < 6 && Character.isDigit(s.charAt(end))) {
        end++;
      }
      return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
    }
  }

  @Override
  public String toString() {
    return "seccomp profile " + origin;
  }
}
