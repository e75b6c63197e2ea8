package dev.jbuild.grammar.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.ignore.Dockerignore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One test per BuildKit rule, on the examples of BuildKit's rule pages
 * (frontend/dockerfile/docs/rules/*.md): the bad example warns with BuildKit's message at the right
 * line, the good examples do not.
 */
class ChecksTest {
  /** Base images the tests know: alpine, python (with PYTHON_VERSION), nginx. */
  static final BaseEnv BASES =
      ref ->
          switch (ref) {
            case "python" -> Optional.of(List.of("PATH=/usr/bin", "PYTHON_VERSION=3.13"));
            case "alpine", "nginx", "debian:latest", "golang:latest", "python:alpine" ->
                Optional.of(List.of("PATH=/usr/bin"));
            default -> Optional.empty();
          };

  static List<String> check(String dockerfile) {
    return check(dockerfile, Map.of(), Optional.empty());
  }

  static List<String> check(
      String dockerfile, Map<String, String> buildArgs, Optional<Dockerignore> ignore) {
    BuildPlan plan =
        BuildGraph.plan(
            Dockerfiles.parse("Dockerfile", dockerfile),
            PlanOptions.defaults()
                .withBuildArgs(buildArgs)
                .withTargetPlatform(PlatformSpec.parse("linux/amd64"))
                .withBuildPlatform(PlatformSpec.parse("linux/amd64")));
    List<String> out = new ArrayList<>();
    for (Warning w : Checks.run(plan, dockerfile, true, BASES, ignore)) {
      out.add(w.range().startLine() + " " + w.rule().ruleName() + ": " + w.message());
    }
    return out;
  }

  @Test
  void stageNameCasing() {
    assertEquals(
        List.of("1 StageNameCasing: Stage name 'BuilderBase' should be lowercase"),
        check("FROM alpine AS BuilderBase\n"));
    assertEquals(List.of(), check("FROM alpine AS builder-base\n"));
  }

  @Test
  void fromAsCasing() {
    assertEquals(
        List.of("1 FromAsCasing: 'as' and 'FROM' keywords' casing do not match"),
        check("FROM debian:latest as builder\n"));
    assertEquals(List.of(), check("FROM debian:latest AS deb-builder\n"));
    assertEquals(List.of(), check("from debian:latest as deb-builder\n"));
  }

  @Test
  void noEmptyContinuation() {
    assertEquals(
        // BuildKit reports it at the instruction's last line
        List.of("4 NoEmptyContinuation: Empty continuation line"),
        check("FROM alpine\nEXPOSE \\\n\n80\n"));
    assertEquals(List.of(), check("FROM alpine\nEXPOSE \\\n# Port\n80\n"));
  }

  @Test
  void consistentInstructionCasing() {
    assertEquals(
        List.of(
            "1 ConsistentInstructionCasing: Command 'From' should match the case of the command"
                + " majority (uppercase)",
            "2 ConsistentInstructionCasing: Command 'Run' should match the case of the command"
                + " majority (uppercase)",
            "3 ConsistentInstructionCasing: Command 'EntRYpOiNT' should match the case of the"
                + " command majority (uppercase)"),
        check(
            "From alpine\nRun echo hello > /greeting.txt\n"
                + "EntRYpOiNT [\"cat\", \"/greeting.txt\"]\n"));
    assertEquals(
        List.of(),
        check(
            "FROM alpine\nRUN echo hello > /greeting.txt\n"
                + "ENTRYPOINT [\"cat\", \"/greeting.txt\"]\n"));
    assertEquals(
        List.of(),
        check(
            "from alpine\nrun echo hello > /greeting.txt\n"
                + "entrypoint [\"cat\", \"/greeting.txt\"]\n"));
    assertEquals(
        List.of(
            "2 ConsistentInstructionCasing: Command 'RUN' should match the case of the command"
                + " majority (lowercase)"),
        check("from alpine\nRUN true\nrun true\n"));
  }

  @Test
  void duplicateStageName() {
    assertEquals(
        List.of(
            "3 DuplicateStageName: Duplicate stage name \"builder\", stage names should be"
                + " unique"),
        check(
            "FROM debian:latest AS builder\nRUN apt-get update; apt-get install -y curl\n"
                + "FROM golang:latest AS builder\n"));
    assertEquals(
        List.of(),
        check(
            "FROM debian:latest AS deb-builder\nRUN apt-get update; apt-get install -y curl\n"
                + "FROM golang:latest AS go-builder\n"));
  }

  @Test
  void reservedStageName() {
    assertEquals(
        List.of(
            "1 ReservedStageName: Stage name should not use the same name as reserved stage"
                + " \"scratch\"",
            "2 ReservedStageName: Stage name should not use the same name as reserved stage"
                + " \"context\""),
        check("FROM alpine AS scratch\nFROM alpine AS context\n"));
    assertEquals(List.of(), check("FROM alpine AS builder\n"));
  }

  @Test
  void jsonArgsRecommended() {
    assertEquals(
        List.of(
            "2 JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent"
                + " unintended behavior related to OS signals"),
        check("FROM alpine\nENTRYPOINT my-program start\n"));
    assertEquals(List.of(), check("FROM alpine\nENTRYPOINT [\"my-program\", \"start\"]\n"));
    assertEquals(
        List.of(),
        check(
            "FROM alpine\nRUN apk add bash\nSHELL [\"/bin/bash\", \"-c\"]\n"
                + "ENTRYPOINT echo \"hello world\"\n"));
    assertEquals(
        List.of(
            "2 JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended"
                + " behavior related to OS signals"),
        check("FROM alpine\nCMD echo hi\n"));
  }

  @Test
  void maintainerDeprecated() {
    assertEquals(
        List.of(
            "2 MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"),
        check("FROM alpine\nMAINTAINER moby@example.com\n"));
    assertEquals(
        List.of(),
        check("FROM alpine\nLABEL org.opencontainers.image.authors=\"moby@example.com\"\n"));
  }

  @Test
  void undefinedArgInFrom() {
    assertEquals(
        List.of("1 UndefinedArgInFrom: FROM argument 'VARIANT' is not declared"),
        check("FROM node:22${VARIANT} AS jsbuilder\n"));
    assertEquals(
        List.of(), check("ARG VARIANT=\"-alpine3.20\"\nFROM node:22${VARIANT} AS jsbuilder\n"));
    assertEquals(
        List.of(
            "2 UndefinedArgInFrom: FROM argument 'VARIAN' is not declared (did you mean VARIANT?)"),
        check("ARG VARIANT=-alpine\nFROM node:22${VARIAN} AS jsbuilder\n"));
  }

  @Test
  void workdirRelativePath() {
    assertEquals(
        List.of(
            "2 WorkdirRelativePath: Relative workdir \"usr/share/nginx/html\" can have"
                + " unexpected results if the base image changes"),
        check("FROM nginx AS web\nWORKDIR usr/share/nginx/html\nCOPY public .\n"));
    assertEquals(
        List.of(), check("FROM nginx AS web\nWORKDIR /usr/share/nginx/html\nCOPY public .\n"));
    assertEquals(List.of(), check("FROM nginx AS web\nWORKDIR /usr\nWORKDIR share\n"));
  }

  @Test
  void undefinedVar() {
    assertEquals(
        List.of("2 UndefinedVar: Usage of undefined variable '$foo'"),
        check("FROM alpine AS base\nCOPY $foo .\n"));
    assertEquals(List.of(), check("FROM alpine AS base\nARG foo\nCOPY $foo .\n"));
    assertEquals(
        List.of("2 UndefinedVar: Usage of undefined variable '$foo'"),
        check("FROM alpine AS base\nARG VERSION=$foo\n"));
    assertEquals(List.of(), check("FROM python AS base\nARG VERSION=$PYTHON_VERSION\n"));
    assertEquals(
        List.of(
            "2 UndefinedVar: Usage of undefined variable '$PYTHON_VERSIO' (did you mean"
                + " $PYTHON_VERSION?)"),
        check("FROM python AS base\nENV V=$PYTHON_VERSIO\n"));
    // RUN is not expanded by the frontend; an unknown base image is not guessed at
    assertEquals(List.of(), check("FROM alpine\nRUN echo $nothing\n"));
    assertEquals(List.of(), check("FROM unknown-image\nENV A=$nothing\n"));
    // a stage built on a stage sees its ENV
    assertEquals(List.of(), check("FROM alpine AS a\nENV X=1\nFROM a\nENV Y=$X\n"));
  }

  @Test
  void multipleInstructionsDisallowed() {
    assertEquals(
        List.of(
            "2 MultipleInstructionsDisallowed: Multiple ENTRYPOINT instructions should not be"
                + " used in the same stage because only the last one will be used"),
        check(
            "FROM alpine\nENTRYPOINT [\"echo\", \"Hello, Norway!\"]\n"
                + "ENTRYPOINT [\"echo\", \"Hello, Sweden!\"]\n"));
    assertEquals(
        List.of(),
        check(
            "FROM python:alpine\nRUN apk add curl\nHEALTHCHECK --interval=1s --timeout=3s \\\n"
                + "  CMD [\"curl\", \"-f\", \"http://localhost:8080\"]\n"
                + "CMD [\"python\", \"-m\", \"http.server\", \"8080\"]\n"));
  }

  @Test
  void legacyKeyValueFormat() {
    assertEquals(
        List.of(
            "2 LegacyKeyValueFormat: \"ENV key=value\" should be used instead of legacy \"ENV key"
                + " value\" format"),
        check("FROM alpine\nENV DEPS \\\n    curl \\\n    git \\\n    make\n"));
    assertEquals(
        List.of(), check("FROM alpine\nENV DEPS=\"\\\n    curl \\\n    git \\\n    make\"\n"));
    assertEquals(
        List.of(
            "2 LegacyKeyValueFormat: \"LABEL key=value\" should be used instead of legacy \"LABEL"
                + " key value\" format"),
        check("FROM alpine\nLABEL version 1\n"));
  }

  @Test
  void redundantTargetPlatform() {
    assertEquals(
        List.of(
            "1 RedundantTargetPlatform: Setting platform to predefined $TARGETPLATFORM in FROM is"
                + " redundant as this is the default behavior"),
        check("FROM --platform=$TARGETPLATFORM alpine AS builder\nRUN apk add --no-cache git\n"));
    assertEquals(List.of(), check("FROM alpine AS builder\nRUN apk add --no-cache git\n"));
  }

  @Test
  void secretsUsedInArgOrEnv() {
    assertEquals(
        List.of(
            "2 SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG"
                + " \"AWS_ACCESS_KEY_ID\")",
            "3 SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG"
                + " \"AWS_SECRET_ACCESS_KEY\")"),
        check(
            "FROM alpine\nARG AWS_ACCESS_KEY_ID\nARG AWS_SECRET_ACCESS_KEY\n"
                + "RUN aws s3 cp s3://my-bucket/file .\n"));
    assertEquals(
        List.of(),
        check(
            "FROM alpine\nRUN --mount=type=secret,id=aws_key_id,env=AWS_ACCESS_KEY_ID \\\n"
                + "    --mount=type=secret,id=aws_secret_key,env=AWS_SECRET_ACCESS_KEY \\\n"
                + "    aws s3 cp s3://my-bucket/file .\n"));
    assertEquals(
        List.of(
            "2 SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ENV"
                + " \"GITHUB_TOKEN\")"),
        check("FROM alpine\nENV GITHUB_TOKEN=x PUBLIC_KEY=y KEY_FILE=z\n"));
  }

  /**
   * BuildKit's own case (dockerfile_check_test.go, testSecretsUsedInArgOrEnv): the token and allow
   * lists, and {@code # check=skip=} comments that apply to the next instruction only.
   */
  @Test
  void secretsUsedInArgOrEnvAsBuildKitsTest() {
    String df =
        """
        # check=skip=InvalidDefinitionDescription

        FROM scratch
        ARG SECRET_PASSPHRASE
        ENV SUPER_Secret=foo
        ENV password=bar secret=baz
        ARG super_duper_secret_token=foo auth=bar
        ENV apikey=bar sunflower=foo
        ENV git_key=
        ENV PUBLIC_KEY=
        ARG public_token
        ARG SECRET_PASSPHRASE_FILE
        ENV password_file=bar secret_File=baz
        ARG AUTH_MODULE_VERSION
        # check=skip=SecretsUsedInArgOrEnv // allow secret in environment
        ENV password=bar
        # check=skip=SecretsUsedInArgOrEnv // allow secret in arg
        ARG password
        # check=skip=all // is local to only this instruction
        ENV alternate_password=bar
        # check=skip=all // is local to only this instruction
        ARG alternate_password
        """;
    String p = "SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data ";
    assertEquals(
        List.of(
            "4 " + p + "(ARG \"SECRET_PASSPHRASE\")",
            "5 " + p + "(ENV \"SUPER_Secret\")",
            "6 " + p + "(ENV \"password\")",
            "6 " + p + "(ENV \"secret\")",
            "7 " + p + "(ARG \"super_duper_secret_token\")",
            "7 " + p + "(ARG \"auth\")",
            "8 " + p + "(ENV \"apikey\")",
            "9 " + p + "(ENV \"git_key\")"),
        check(df));
  }

  @Test
  void invalidDefaultArgInFrom() {
    assertEquals(
        List.of(
            "2 InvalidDefaultArgInFrom: Default value for ARG busybox:${TAG} results in empty or"
                + " invalid base image name"),
        check("ARG TAG\nFROM busybox:${TAG}\n", Map.of("TAG", "1"), Optional.empty()));
    assertEquals(List.of(), check("ARG TAG=latest\nFROM busybox:${TAG}\n"));
    assertEquals(List.of(), check("ARG VARIANT\nFROM busybox:stable${VARIANT}\n"));
    assertEquals(List.of(), check("ARG TAG\nFROM alpine:${TAG:-3.14}\n"));
  }

  @Test
  void fromPlatformFlagConstDisallowed() {
    assertEquals(
        List.of(
            "1 FromPlatformFlagConstDisallowed: FROM --platform flag should not use constant"
                + " value \"linux/amd64\""),
        check("FROM --platform=linux/amd64 alpine AS base\nRUN apk add --no-cache git\n"));
    assertEquals(List.of(), check("FROM alpine AS base\nRUN apk add --no-cache git\n"));
    assertEquals(
        List.of(),
        check("FROM --platform=${BUILDPLATFORM} alpine AS base\nRUN apk add --no-cache git\n"));
    assertEquals(
        List.of(),
        check(
            "FROM --platform=linux/amd64 alpine AS build_amd64\n"
                + "FROM --platform=linux/arm64 alpine AS build_arm64\n"
                + "FROM build_${TARGETARCH} AS build\n"));
  }

  /**
   * The rule page's example (pattern "star slash tmp slash star" against {@code
   * ./tmp/helloworld.txt}) does not match under patternmatcher's rules ({@code *} needs a first
   * path element), so these are the cases of BuildKit's own test (dockerfile_check_test.go,
   * testCopyIgnoredFiles and testCopyIgnoredFileContextRoot).
   */
  @Test
  void copyIgnoredFile() {
    Optional<Dockerignore> ignore = Optional.of(Dockerignore.of(List.of("Dockerfile")));
    assertEquals(
        List.of(
            "3 CopyIgnoredFile: Attempting to Copy file \"Dockerfile\" that is excluded by"
                + " .dockerignore",
            "4 CopyIgnoredFile: Attempting to Add file \"Dockerfile\" that is excluded by"
                + " .dockerignore"),
        check("\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n", Map.of(), ignore));
    assertEquals(
        List.of(),
        check(
            "\nFROM scratch AS base\nCOPY Dockerfile /foobar\nADD Dockerfile /windy\n\n"
                + "FROM base\nCOPY --from=base /foobar /Dockerfile\n",
            Map.of(),
            Optional.of(Dockerignore.of(List.of("foobar")))));
    Optional<Dockerignore> withException =
        Optional.of(Dockerignore.of(List.of("**", "!Dockerfile")));
    assertEquals(
        List.of(), check("\nFROM scratch\nCOPY ./Dockerfile .\n", Map.of(), withException));
    assertEquals(List.of(), check("\nFROM scratch\nCOPY . .\n", Map.of(), withException));
    assertEquals(
        List.of(),
        check("\nFROM scratch\nCOPY . .\n", Map.of(), Optional.of(Dockerignore.of(List.of(".*")))));
    assertEquals(
        List.of(
            "3 CopyIgnoredFile: Attempting to Copy file \".\" that is excluded by .dockerignore"),
        check("\nFROM scratch\nCOPY . .\n", Map.of(), Optional.of(Dockerignore.of(List.of("*")))));
  }

  @Test
  void exposeProtoCasing() {
    assertEquals(
        List.of(
            "2 ExposeProtoCasing: Defined protocol '80/TcP' in EXPOSE instruction should be"
                + " lowercase"),
        check("FROM alpine\nEXPOSE 80/TcP\n"));
    assertEquals(List.of(), check("FROM alpine\nEXPOSE 80/tcp\n"));
  }

  @Test
  void exposeInvalidFormat() {
    assertEquals(
        List.of(
            "2 ExposeInvalidFormat: EXPOSE instruction should not define an IP address or"
                + " host-port mapping, found '127.0.0.1:80:80'"),
        check("FROM alpine\nEXPOSE 127.0.0.1:80:80\n"));
    assertEquals(
        List.of(
            "2 ExposeInvalidFormat: EXPOSE instruction should not define an IP address or"
                + " host-port mapping, found '80:80'"),
        check("FROM alpine\nEXPOSE 80:80\n"));
    assertEquals(List.of(), check("FROM alpine\nEXPOSE 80\n"));
  }

  @Test
  void locationNamesFileLineAndColumn() {
    BuildPlan plan =
        BuildGraph.plan(
            Dockerfiles.parse("dir/Dockerfile", "FROM alpine\n  MAINTAINER me\n"),
            PlanOptions.defaults());
    Warning w =
        Checks.run(plan, "FROM alpine\n  MAINTAINER me\n", true, BASES, Optional.empty()).get(0);
    assertEquals("dir/Dockerfile:2:3", w.range().location());
    assertEquals(
        "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"
            + " (dir/Dockerfile:2:3)",
        w.shortText());
  }

  @Test
  void manyWarningsSortStablyByLine() {
    StringBuilder df = new StringBuilder("FROM alpine\n");
    for (int i = 0; i < 20_000; i++) {
      df.append("maintainer me\nENV A 1\n");
    }
    List<String> w = check(df.toString());
    assertEquals(60_000, w.size());
    int last = 0;
    for (String s : w) {
      int line = Integer.parseInt(s.substring(0, s.indexOf(' ')));
      assertEquals(true, line >= last, s);
      last = line;
    }
    // same line: the parse-time rule first, in the order they were found
    assertEquals(true, w.get(0).startsWith("2 MaintainerDeprecated"), w.get(0));
    assertEquals(true, w.get(1).startsWith("2 ConsistentInstructionCasing"), w.get(1));
  }

  @Test
  void buildChecksOnlyTheStagesTheTargetNeeds() {
    String text = "FROM alpine AS unused\nCMD a\nFROM alpine\nCMD [\"b\"]\n";
    BuildPlan plan = BuildGraph.plan(Dockerfiles.parse("Dockerfile", text), PlanOptions.defaults());
    assertEquals(1, Checks.run(plan, text, true, BASES, Optional.empty()).size());
    assertEquals(0, Checks.run(plan, text, false, BASES, Optional.empty()).size());
  }
}
