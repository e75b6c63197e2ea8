package dev.jbuild.layercache.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonParseException;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;

/**
 * The JSON parser and the OCI documents built on it, on arbitrary bytes. Allowed: {@link
 * JsonParseException} from the parser, IllegalArgumentException (naming the member) from the model.
 * A parsed document must write back to a document that parses to the same tree. Anything else, a
 * StackOverflowError or a hang is a finding.
 */
class JsonFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void json(byte[] data) {
    Json json;
    try {
      json = Json.parse(data);
    } catch (JsonParseException expected) {
      return;
    }
    assertEquals(json, Json.parse(json.toString()));
    assertEquals(json, Json.parse(json.toPrettyString()));
    try {
      ImageConfig.parse(data);
    } catch (IllegalArgumentException expected) {
      // a member of the wrong type or value
    }
    try {
      ImageManifest.parse(data);
    } catch (IllegalArgumentException expected) {
      // idem
    }
    try {
      ImageIndex.parse(data);
    } catch (IllegalArgumentException expected) {
      // idem
    }
  }
}
