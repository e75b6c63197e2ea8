package dev.jbuild.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one-way layering of the modules: grammar and layer-cache depend on nothing internal, the
 * runner only on layer-cache, and no ANTLR type leaves the grammar module. Inside the engine: the
 * steps never reach the executor, what they share (core, errors, run, copy, context, cache) sits
 * below them, and only the runner's API packages are used.
 */
class LayeringTest {
  static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.jbuild");
  }

  @Test
  void everyModuleIsImported() {
    for (String pkg :
        java.util.List.of(
            "dev.jbuild.grammar",
            "dev.jbuild.layercache.store",
            "dev.jbuild.runner",
            "dev.jbuild.builder")) {
      org.junit.jupiter.api.Assertions.assertTrue(
          classes.containPackage(pkg), pkg + " not on the class path");
    }
  }

  @Test
  void grammarImportsNothingInternal() {
    noClasses()
        .that()
        .resideInAPackage("dev.jbuild.grammar..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.jbuild.layercache..",
            "dev.jbuild.runner..",
            "dev.jbuild.builder..",
            "dev.jbuild.cli..")
        .check(classes);
  }

  @Test
  void layerCacheImportsNothingInternal() {
    noClasses()
        .that()
        .resideInAPackage("dev.jbuild.layercache..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.jbuild.grammar..",
            "dev.jbuild.runner..",
            "dev.jbuild.builder..",
            "dev.jbuild.cli..")
        .check(classes);
  }

  @Test
  void runnerImportsOnlyLayerCache() {
    noClasses()
        .that()
        .resideInAPackage("dev.jbuild.runner..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.jbuild.grammar..", "dev.jbuild.builder..", "dev.jbuild.cli..")
        .check(classes);
  }

  @Test
  void builderEngineDoesNotDependOnTheCli() {
    noClasses()
        .that()
        .resideInAPackage("dev.jbuild.builder..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.jbuild.cli..")
        .check(classes);
  }

  @Test
  void stepsDoNotDependOnTheExecutorOrTheBuild() {
    noClasses()
        .that()
        .resideInAPackage("dev.jbuild.builder.steps..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.jbuild.builder.exec..", "dev.jbuild.builder")
        .check(classes);
  }

  @Test
  void whatStepsShareSitsBelowThem() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.jbuild.builder.core..",
            "dev.jbuild.builder.errors..",
            "dev.jbuild.builder.run..",
            "dev.jbuild.builder.copy..",
            "dev.jbuild.builder.context..",
            "dev.jbuild.builder.cache..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.jbuild.builder.steps..",
            "dev.jbuild.builder.exec..",
            "dev.jbuild.builder.publish..",
            "dev.jbuild.builder")
        .check(classes);
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.jbuild.builder.errors..",
            "dev.jbuild.builder.run..",
            "dev.jbuild.builder.copy..",
            "dev.jbuild.builder.context..",
            "dev.jbuild.builder.cache..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.jbuild.builder.core..")
        .check(classes);
  }

  @Test
  void theEngineUsesOnlyTheRunnersApi() {
    noClasses()
        .that()
        .resideInAPackage("dev.jbuild.builder..")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("dev.jbuild.runner..")
                .and(
                    JavaClass.Predicates.resideOutsideOfPackages(
                        "dev.jbuild.runner", "dev.jbuild.runner.user")))
        .check(classes);
  }

  @Test
  void noAntlrTypeOutsideTheGrammarModule() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.jbuild.grammar..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.antlr..")
        .check(classes);
  }
}
