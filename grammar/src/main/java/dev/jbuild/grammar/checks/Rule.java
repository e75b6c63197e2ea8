package dev.jbuild.grammar.checks;

/**
 * BuildKit's Dockerfile build checks (frontend/dockerfile/linter/ruleset.go): the name a {@code #
 * check=skip=} directive uses, the description, and the documentation page BuildKit links to.
 */
public enum Rule {
  STAGE_NAME_CASING("StageNameCasing", "Stage names should be lowercase", "stage-name-casing"),
  FROM_AS_CASING(
      "FromAsCasing",
      "The 'as' keyword should match the case of the 'from' keyword",
      "from-as-casing"),
  NO_EMPTY_CONTINUATION(
      "NoEmptyContinuation",
      "Empty continuation lines will become errors in a future release",
      "no-empty-continuation"),
  CONSISTENT_INSTRUCTION_CASING(
      "ConsistentInstructionCasing",
      "All commands within the Dockerfile should use the same casing (either upper or lower)",
      "consistent-instruction-casing"),
  DUPLICATE_STAGE_NAME(
      "DuplicateStageName", "Stage names should be unique", "duplicate-stage-name"),
  RESERVED_STAGE_NAME(
      "ReservedStageName",
      "Reserved words should not be used as stage names",
      "reserved-stage-name"),
  JSON_ARGS_RECOMMENDED(
      "JSONArgsRecommended",
      "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS"
          + " signals",
      "json-args-recommended"),
  MAINTAINER_DEPRECATED(
      "MaintainerDeprecated",
      "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
      "maintainer-deprecated"),
  UNDEFINED_ARG_IN_FROM(
      "UndefinedArgInFrom", "FROM command must use declared ARGs", "undefined-arg-in-from"),
  WORKDIR_RELATIVE_PATH(
      "WorkdirRelativePath",
      "Relative workdir without an absolute workdir declared within the build can have unexpected"
          + " results if the base image changes",
      "workdir-relative-path"),
  UNDEFINED_VAR("UndefinedVar", "Variables should be defined before their use", "undefined-var"),
  MULTIPLE_INSTRUCTIONS_DISALLOWED(
      "MultipleInstructionsDisallowed",
      "Multiple instructions of the same type should not be used in the same stage",
      "multiple-instructions-disallowed"),
  LEGACY_KEY_VALUE_FORMAT(
      "LegacyKeyValueFormat",
      "Legacy key/value format with whitespace separator should not be used",
      "legacy-key-value-format"),
  INVALID_BASE_IMAGE_PLATFORM(
      "InvalidBaseImagePlatform",
      "Base image platform does not match expected target platform",
      null),
  REDUNDANT_TARGET_PLATFORM(
      "RedundantTargetPlatform",
      "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default"
          + " behavior",
      "redundant-target-platform"),
  SECRETS_USED_IN_ARG_OR_ENV(
      "SecretsUsedInArgOrEnv",
      "Sensitive data should not be used in the ARG or ENV commands",
      "secrets-used-in-arg-or-env"),
  INVALID_DEFAULT_ARG_IN_FROM(
      "InvalidDefaultArgInFrom",
      "Default value for global ARG results in an empty or invalid base image name",
      "invalid-default-arg-in-from"),
  FROM_PLATFORM_FLAG_CONST_DISALLOWED(
      "FromPlatformFlagConstDisallowed",
      "FROM --platform flag should not use a constant value",
      "from-platform-flag-const-disallowed"),
  COPY_IGNORED_FILE(
      "CopyIgnoredFile",
      "Attempting to Copy file that is excluded by .dockerignore",
      "copy-ignored-file"),
  EXPOSE_PROTO_CASING(
      "ExposeProtoCasing",
      "Protocol in EXPOSE instruction should be lowercase",
      "expose-proto-casing"),
  EXPOSE_INVALID_FORMAT(
      "ExposeInvalidFormat",
      "IP address and host-port mapping should not be used in EXPOSE instruction. This will become"
          + " an error in a future release",
      "expose-invalid-format");

  private final String ruleName;
  private final String description;
  private final String page;

  Rule(String ruleName, String description, String page) {
    this.ruleName = ruleName;
    this.description = description;
    this.page = page;
  }

  /** BuildKit's name, e.g. {@code StageNameCasing}. */
  public String ruleName() {
    return ruleName;
  }

  public String description() {
    return description;
  }

  /** The documentation page BuildKit links to, or "" (InvalidBaseImagePlatform has none). */
  public String url() {
    return page == null ? "" : "https://docs.docker.com/go/dockerfile/rule/" + page + "/";
  }
}
