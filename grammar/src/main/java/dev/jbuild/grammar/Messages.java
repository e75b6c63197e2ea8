package dev.jbuild.grammar;

import java.util.Collection;
import java.util.Locale;

/**
 * The one factory of diagnostic texts of the grammar module (tests reuse it). Wording follows
 * BuildKit's Dockerfile frontend where it has one, so users can search for the message.
 */
public final class Messages {
  private Messages() {}

  // ---- file level
  public static String noInstructions() {
    return "file with no instructions";
  }

  public static String noStages() {
    return "dockerfile contains no stages to build (no FROM)";
  }

  public static String duplicateDirective(String name) {
    return "only one " + name + " parser directive can be used";
  }

  public static String invalidEscape(String value) {
    return "invalid escape token '" + value + "' does not match ` or \\";
  }

  public static String unsupportedSyntax(String value, boolean fromBuildArg) {
    return "unsupported frontend \""
        + value
        + "\""
        + (fromBuildArg ? " in --build-arg BUILDKIT_SYNTAX" : " in the syntax directive")
        + ": jbuild implements docker/dockerfile:1 (1.x, 1.x.y, -labs) itself and cannot run"
        + " other frontend images";
  }

  public static String labsOnly(String flag, int sinceMinor, String syntax) {
    return flag
        + " needs docker/dockerfile:1."
        + sinceMinor
        + " or later, or a -labs syntax; the syntax directive asks for "
        + syntax;
  }

  public static String badCheckDirective(String reason) {
    return "failed to parse check options: " + reason;
  }

  public static String noBuildStage(String keyword) {
    return "no build stage in current context (" + keyword + " before the first FROM)";
  }

  public static String continuationWithoutInstruction() {
    return "unknown instruction: a line continuation with no instruction before it";
  }

  public static String unknownInstruction(String name, Collection<String> known) {
    String upper = name.toUpperCase(Locale.ROOT);
    return "unknown instruction: " + upper + suggestion(upper, known);
  }

  // ---- arguments
  public static String atLeastOneArgument(String keyword) {
    return keyword + " requires at least one argument";
  }

  public static String exactlyOneArgument(String keyword) {
    return keyword + " requires exactly one argument";
  }

  public static String atLeastTwoArguments(String keyword) {
    return keyword + " requires at least two arguments";
  }

  public static String noDestination(String keyword) {
    return keyword
        + " requires at least two arguments, but only one was provided. Destination could not be"
        + " determined";
  }

  public static String fromArguments() {
    return "FROM requires either one or three arguments";
  }

  public static String invalidStageName(String name) {
    return "invalid name for build stage: \""
        + name
        + "\", name can't start with a number or contain symbols";
  }

  public static String mustHaveTwoArguments(String keyword) {
    return keyword + " must have two arguments";
  }

  public static String missingEquals(String word) {
    return "Syntax error - can't find = in \"" + word + "\". Must be of the form: name=value";
  }

  public static String blankNames(String keyword) {
    return keyword + " names can not be blank";
  }

  public static String notJson(String keyword) {
    return keyword + " requires the arguments to be in JSON form";
  }

  public static String jsonNotStrings() {
    return "when using JSON array syntax, arrays must be comprised of strings only";
  }

  public static String emptyVolume() {
    return "VOLUME specified can not be an empty string";
  }

  // ---- flags
  public static String unknownFlag(String name, Collection<String> known) {
    return "unknown flag: " + name + suggestion(name, known);
  }

  public static String duplicateFlag(String name) {
    return "duplicate flag specified: " + name;
  }

  public static String missingFlagValue(String name) {
    return "missing a value on flag: " + name;
  }

  public static String badBooleanFlag(String name, String value) {
    return "expecting boolean value for flag " + name + ", not: " + value;
  }

  public static String invalidChmod(String value) {
    return "invalid chmod parameter: '"
        + value
        + "'. it should be octal string and between 0 and 07777, or a symbolic mode like u+x";
  }

  public static String unsupportedNetwork(String value) {
    return "unsupported network mode \"" + value + "\" (use default, none or host)";
  }

  public static String unsupportedSecurity(String value) {
    return "unsupported security mode \"" + value + "\" (use sandbox or insecure)";
  }

  public static String checksumMultipleSources() {
    return "checksum can't be specified for multiple sources";
  }

  // ---- ONBUILD
  public static String onbuildChain() {
    return "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed";
  }

  public static String onbuildForbidden(String keyword) {
    return keyword + " isn't allowed as an ONBUILD trigger";
  }

  public static String triggerNotOneInstruction() {
    return "an ONBUILD trigger must be exactly one instruction";
  }

  // ---- HEALTHCHECK
  public static String healthcheckNoneArguments() {
    return "HEALTHCHECK NONE takes no arguments";
  }

  public static String healthcheckMissingCommand() {
    return "Missing command after HEALTHCHECK CMD";
  }

  public static String healthcheckUnknownType(String type) {
    return "Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)";
  }

  public static String intervalTooShort(String flag) {
    return "Interval \"" + flag + "\" cannot be less than 1ms";
  }

  public static String invalidDuration(String value) {
    return "time: invalid duration \"" + value + "\"";
  }

  public static String missingDurationUnit(String value) {
    return "time: missing unit in duration \"" + value + "\"";
  }

  public static String unknownDurationUnit(String unit, String value) {
    return "time: unknown unit \"" + unit + "\" in duration \"" + value + "\"";
  }

  public static String invalidRetries(String value) {
    return "strconv.ParseInt: parsing \"" + value + "\": invalid syntax";
  }

  public static String negativeRetries(long value) {
    return "--retries cannot be negative (" + value + ")";
  }

  // ---- values checked after expansion
  public static String invalidSignal(String value) {
    return "Invalid signal: " + value;
  }

  public static String invalidPort(String value) {
    return "invalid containerPort: " + value;
  }

  public static String invalidProto(String value) {
    return "invalid proto: " + value;
  }

  public static String noPortSpecified(String raw) {
    return "no port specified: " + raw + "<empty>";
  }

  // ---- heredocs
  public static String unterminatedHeredoc(String name) {
    return "unterminated heredoc: no line \"" + name + "\" ends it";
  }

  public static String heredocAsDestination(String keyword) {
    return keyword + " cannot accept a heredoc as a destination";
  }

  // ---- RUN --mount
  public static String mountCsv(String detail) {
    return "failed to parse csv mounts: " + detail;
  }

  public static String mountFieldNeedsValue(String field) {
    return "invalid field '" + field + "' must be a key=value pair";
  }

  public static String mountUnknownType(String type) {
    return "unsupported mount type \"" + type + "\" (use bind, cache, tmpfs, secret or ssh)";
  }

  public static String mountUnexpectedKey(String key, String type) {
    return "unexpected key '" + key + "' for mount type '" + type + "'";
  }

  public static String mountUnknownKey(String key, String field) {
    return "unexpected key '" + key + "' in '" + field + "'";
  }

  public static String mountInvalidValue(String key, String value) {
    return "invalid value for " + key + ": " + value;
  }

  public static String mountFileInfoNotAllowed(String what, String type) {
    return what + " not allowed for \"" + type + "\" type mounts";
  }

  public static String mountSharingNotCache(String type) {
    return "invalid cache sharing set for " + type + " mount";
  }

  public static String mountSecretFrom() {
    return "secret mount should not have a from";
  }

  public static String mountSecretTarget() {
    return "invalid secret mount. one of source, target required";
  }

  public static String mountSecretSourceAndId() {
    return "both source and id can't be set";
  }

  public static String mountTargetRequired(String type) {
    return "mount target is required for " + type + " mounts";
  }

  public static String expansionBudget(long limit) {
    return "variable expansions of this build produce more than " + limit + " characters in total";
  }

  public static String fromVariable() {
    return "'from' doesn't support variable expansion, define alias stage instead";
  }

  // ---- stage graph
  public static String blankBaseName(String raw) {
    return "base name (" + raw + ") should not be blank";
  }

  public static String emptyPlatform(String expression) {
    return "empty platform value from expression " + expression;
  }

  public static String invalidPlatform(String value, String detail) {
    return "failed to parse platform " + value + ": " + detail;
  }

  public static String invalidStageIndex(int index) {
    return "invalid stage index " + index;
  }

  public static String copyFromLaterStage(String from, String current) {
    return "cannot copy from stage \""
        + from
        + "\", it needs to be defined before current stage \""
        + current
        + "\"";
  }

  public static String mountFromLaterStage(String from, String current) {
    return "cannot mount from stage \""
        + from
        + "\" to \""
        + current
        + "\", stage needs to be defined before current command";
  }

  public static String circularDependency(String stage) {
    return "circular dependency detected on stage: " + stage;
  }

  public static String unknownTarget(String target, Collection<String> stages) {
    return "target stage \"" + target + "\" could not be found" + suggestion(target, stages);
  }

  /** " (did you mean X?)" when one known name is close to {@code word}, else "". */
  public static String suggestion(String word, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String w = word.toLowerCase(Locale.ROOT);
    for (String k : known) {
      int d = distance(w, k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    int allowed = Math.max(1, Math.min(2, w.length() / 3));
    return best != null && bestDistance > 0 && bestDistance <= allowed
        ? " (did you mean " + best + "?)"
        : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
