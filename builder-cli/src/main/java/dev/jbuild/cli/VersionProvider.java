package dev.jbuild.cli;

import java.io.IOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version: the jar manifest's Implementation-Version (the class loader read the manifest when
 * it defined the package: free), else what Maven filtered into version.properties (classes run from
 * a directory, in tests). Reading a resource through its URL cost --version a fifth of its time.
 */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() throws IOException {
    String version = VersionProvider.class.getPackage().getImplementationVersion();
    if (version == null) {
      Properties p = new Properties();
      byte[] text = OwnResources.read("dev/jbuild/cli/version.properties");
      if (text != null) {
        p.load(new java.io.ByteArrayInputStream(text));
      }
      version = p.getProperty("version", "unknown");
    }
    // java.runtime.version is Runtime.version()'s text, without parsing it
    return new String[] {
      "jbuild " + version,
      "Java "
          + System.getProperty("java.runtime.version")
          + " ("
          + System.getProperty("java.vm.name")
          + ")"
    };
  }
}
