package io.nightjar.jobs.s3import;

import io.nightjar.avro.Analysis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.codehaus.jackson.JsonNode;
import org.codehaus.jackson.map.ObjectMapper;

/**
 * Parses one analysis document (JSON) into the typed {@link Analysis} fields nightjar stores; a pure function.
 * nightjar keeps parsed fields rather than the JSON text: a third of the bytes, typed for readers, and a document
 * that does not parse is caught at import instead of by every reader.
 *
 * <pre>{"track_id": "track-1", "tempo": 120.5, "key": 5, "mode": 1, "loudness": -7.2, "duration": 210.3,
 *  "acousticness": 0.21, "instrumentalness": 0.01, "energy": 0.8}</pre>
 */
public final class AnalysisDocuments {

  public static final String EMPTY_DOCUMENT = "EMPTY_DOCUMENT";
  public static final String UNPARSABLE_DOCUMENT = "UNPARSABLE_DOCUMENT";
  public static final String INVALID_DOCUMENT = "INVALID_DOCUMENT";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AnalysisDocuments() {
  }

  /** Why a document was refused: a reason code and a detail. */
  public static final class InvalidDocumentException extends Exception {
    private final String reason;

    InvalidDocumentException(String reason, String detail) {
      super(detail);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  public static Analysis parse(String trackId, byte[] document) throws InvalidDocumentException {
    if (document.length == 0) {
      throw new InvalidDocumentException(EMPTY_DOCUMENT, "empty object");
    }
    JsonNode root;
    try {
      root = JSON.readTree(new String(document, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      throw new InvalidDocumentException(UNPARSABLE_DOCUMENT, "not JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidDocumentException(UNPARSABLE_DOCUMENT, "not a JSON object");
    }
    JsonNode id = root.get("track_id");
    if (id == null || !trackId.equals(id.asText())) {
      throw new InvalidDocumentException(INVALID_DOCUMENT, "track_id " + id + " is not " + trackId);
    }
    return Analysis.newBuilder()
        .setTempo(number(root, "tempo"))
        .setKey(integer(root, "key"))
        .setMode(integer(root, "mode"))
        .setLoudness(number(root, "loudness"))
        .setDurationSeconds(number(root, "duration"))
        .setAcousticness(number(root, "acousticness"))
        .setInstrumentalness(number(root, "instrumentalness"))
        .setEnergy(number(root, "energy"))
        .build();
  }

  private static double number(JsonNode root, String field) throws InvalidDocumentException {
    JsonNode node = root.get(field);
    if (node == null || !node.isNumber() || !Double.isFinite(node.asDouble())) {
      throw new InvalidDocumentException(INVALID_DOCUMENT, "field " + field + " missing or not a number");
    }
    return node.asDouble();
  }

  private static int integer(JsonNode root, String field) throws InvalidDocumentException {
    JsonNode node = root.get(field);
    if (node == null || !node.isIntegralNumber()) {
      throw new InvalidDocumentException(INVALID_DOCUMENT, "field " + field + " missing or not an integer");
    }
    return node.asInt();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
