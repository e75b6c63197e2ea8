package dev.jbuild.builder.attest;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * An SPDX 2.3 document (JSON) of an image's packages: one package for the image, which CONTAINS one
 * package per {@link Pkg} with its purl as a {@code PACKAGE-MANAGER} external reference; the
 * document DESCRIBES the image.
 */
final class Spdx {
  private Spdx() {}

  static final String PREDICATE_TYPE = "https://spdx.dev/Document";

  static JsonObject document(
      String imageName, Digest manifest, List<Pkg> packages, List<String> notes, Instant created) {
    String rootId = "SPDXRef-DocumentRoot-Image";
    List<Json> pkgs = new ArrayList<>();
    List<Json> rels = new ArrayList<>();
    pkgs.add(
        JsonObject.builder()
            .put("name", imageName)
            .put("SPDXID", rootId)
            .put("versionInfo", manifest.toString())
            .put("downloadLocation", "NOASSERTION")
            .put("filesAnalyzed", false)
            .put("licenseConcluded", "NOASSERTION")
            .put("licenseDeclared", "NOASSERTION")
            .put("copyrightText", "NOASSERTION")
            .put("primaryPackagePurpose", "CONTAINER")
            .build());
    rels.add(relationship("SPDXRef-DOCUMENT", "DESCRIBES", rootId));
    for (Pkg p : packages) {
      String purl = p.purl();
      String id =
          "SPDXRef-Package-"
              + p.type()
              + "-"
              + Digest.sha256(purl.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
      pkgs.add(
          JsonObject.builder()
              .put(
                  "name",
                  p.namespace() != null && p.type().equals("npm")
                      ? p.namespace() + "/" + p.name()
                      : p.type().equals("maven") ? p.namespace() + ":" + p.name() : p.name())
              .put("SPDXID", id)
              .put("versionInfo", p.version())
              .put("downloadLocation", "NOASSERTION")
              .put("filesAnalyzed", false)
              .put("licenseConcluded", "NOASSERTION")
              .put("licenseDeclared", license(p.license()))
              .put("copyrightText", "NOASSERTION")
              .put("sourceInfo", "acquired package info from " + p.source())
              .put(
                  "externalRefs",
                  JsonArray.of(
                      JsonObject.builder()
                          .put("referenceCategory", "PACKAGE-MANAGER")
                          .put("referenceType", "purl")
                          .put("referenceLocator", purl)
                          .build()))
              .build());
      rels.add(relationship(rootId, "CONTAINS", id));
    }
    JsonObject.Builder info =
        JsonObject.builder()
            .put("created", created.truncatedTo(ChronoUnit.SECONDS).toString())
            .put("creators", Json.ofStrings(List.of("Tool: jbuild")));
    if (!notes.isEmpty()) {
      info.put("comment", String.join("; ", notes));
    }
    return JsonObject.builder()
        .put("spdxVersion", "SPDX-2.3")
        .put("dataLicense", "CC0-1.0")
        .put("SPDXID", "SPDXRef-DOCUMENT")
        .put("name", "sbom-" + imageName)
        .put("documentNamespace", "https://jbuild.dev/spdx/" + manifest.hex())
        .put("creationInfo", info.build())
        .put("packages", new JsonArray(pkgs))
        .put("relationships", new JsonArray(rels))
        .build();
  }

  private static JsonObject relationship(String from, String type, String to) {
    return JsonObject.builder()
        .put("spdxElementId", from)
        .put("relationshipType", type)
        .put("relatedSpdxElement", to)
        .build();
  }

  /**
   * A license as the package declares it when it is a plain SPDX expression (identifiers joined by
   * AND, OR, WITH, parentheses), else NOASSERTION (free text is not an SPDX expression).
   */
  static String license(String declared) {
    if (declared == null
        || declared.length() > 200
        || !declared.matches("[A-Za-z0-9.+-]+( +(AND|OR|WITH) +[A-Za-z0-9.+-]+)*")) {
      return "NOASSERTION";
    }
    return declared;
  }
}
