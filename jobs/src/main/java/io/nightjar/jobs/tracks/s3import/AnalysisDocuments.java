package io.nightjar.jobs.tracks.s3import;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.nightjar.avro.AudioAnalysis;
import io.nightjar.avro.Section;
import io.nightjar.avro.Segment;
import io.nightjar.avro.TimeInterval;
import io.nightjar.avro.TrackSummary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Parses one audio-analysis document (the JSON layout music analysis APIs return: {@code meta}, {@code track},
 * {@code bars}, {@code beats}, {@code tatums}, {@code sections}, {@code segments}) into the typed
 * {@link AudioAnalysis} nightjar stores; a pure function, one streaming pass (Jackson 2's {@link JsonParser},
 * relocated in the job jar), no tree: 2 to 3 ms for a 250 KB document on a shared 2-core machine.
 *
 * <p>The objects of {@code track} and of each array are read by one table per record type, built from the Avro schema
 * (JSON names are the schema's field names; the type says how a value is read; a field that is not nullable and has no
 * default is required). Only {@code track} (with {@code duration}) is required; {@code meta} and every array may be
 * missing. Unknown fields, and the fingerprint strings of {@code track} ({@code codestring},
 * {@code echoprintstring}, {@code synchstring}, {@code rhythmstring}), are skipped, not kept. The track id comes from
 * the metadata dump: a document naming another one (top-level or {@code meta.track_id}) is refused, one naming none is
 * accepted.
 *
 * <p>Refusals, each with a detail naming the place: {@value #EMPTY_DOCUMENT}, {@value #UNPARSABLE_DOCUMENT} (not JSON,
 * not an object, or beyond Jackson's read limits: nesting over 1,000 deep, names over 50,000 characters, numbers over
 * 1,000 digits; the first two were skipped by the Jackson 1 parser),
 * {@value #INVALID_DOCUMENT} (a required part missing or of the wrong type), {@value #WRONG_TRACK_ID},
 * {@value #BAD_SEGMENT} (pitches or timbre not 12 numbers), {@value #NON_FINITE_NUMBER} (NaN, Infinity, or beyond a
 * float), {@value #NEGATIVE_DURATION}; {@value #DOCUMENT_TOO_LARGE} is decided by the downloader, before parsing.
 */
public final class AnalysisDocuments {

  public static final String EMPTY_DOCUMENT = "EMPTY_DOCUMENT";
  public static final String UNPARSABLE_DOCUMENT = "UNPARSABLE_DOCUMENT";
  public static final String INVALID_DOCUMENT = "INVALID_DOCUMENT";
  public static final String WRONG_TRACK_ID = "WRONG_TRACK_ID";
  public static final String BAD_SEGMENT = "BAD_SEGMENT";
  public static final String NON_FINITE_NUMBER = "NON_FINITE_NUMBER";
  public static final String NEGATIVE_DURATION = "NEGATIVE_DURATION";
  public static final String DOCUMENT_TOO_LARGE = "DOCUMENT_TOO_LARGE";

  /** Coefficients per segment in {@code pitches} and in {@code timbre}. */
  public static final int COEFFICIENTS = 12;

  private static final JsonFactory JSON = factory();

  /**
   * NaN and Infinity read as numbers (they get their own reason), and Jackson's port of FastDoubleParser where the
   * jackson-core on the classpath has it (2.14 on): the same doubles as Double.parseDouble (both round correctly), and
   * parsing the numbers was the largest part of an import's CPU (docs/sizing.md). The job jar carries its own
   * jackson-core; looked up by name, the feature costs nothing where the module classes meet an older one (Oozie's).
   */
  private static JsonFactory factory() {
    JsonFactoryBuilder builder = new JsonFactoryBuilder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);
    for (StreamReadFeature feature : StreamReadFeature.values()) {
      if (feature.name().equals("USE_FAST_DOUBLE_PARSER")) {
        builder.enable(feature);
      }
    }
    return builder.build();
  }

  /** {@code track}; a null value counts as absent. */
  private static final Part<TrackSummary> TRACK = new Part<>(null, TrackSummary.getClassSchema(), TrackSummary::new,
      true);
  /** The arrays of the document, by name: bars, beats and tatums are intervals; a null in a segment is refused. */
  private static final Map<String, Part<?>> ARRAYS = Map.of(
      "bars", new Part<>("bars", TimeInterval.getClassSchema(), TimeInterval::new, false),
      "beats", new Part<>("beats", TimeInterval.getClassSchema(), TimeInterval::new, false),
      "tatums", new Part<>("tatums", TimeInterval.getClassSchema(), TimeInterval::new, false),
      "sections", new Part<>("sections", Section.getClassSchema(), Section::new, true),
      "segments", new Part<>("segments", Segment.getClassSchema(), Segment::new, false));

  private AnalysisDocuments() {
  }

  /** Why a document was refused: a reason code and a detail. */
  public static final class InvalidDocumentException extends Exception {
    private final String reason;

    InvalidDocumentException(String reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  /** The typed document, or the reason it is refused. */
  public static AudioAnalysis parse(String trackId, byte[] document) throws InvalidDocumentException {
    try (JsonParser parser = JSON.createParser(document)) {
      return new Reader(parser, trackId).document();
    } catch (IOException | RuntimeException e) {
      throw new InvalidDocumentException(UNPARSABLE_DOCUMENT, "not JSON: " + firstLine(e.getMessage()));
    }
  }

  /** How a JSON value becomes a field's value: one kind per Avro type the analysis schema uses. */
  private enum Kind {
    DOUBLE, FLOAT, INT, LONG, STRING, COEFFICIENTS;

    static Kind of(Schema type) {
      switch (type.getType()) {
        case DOUBLE: return DOUBLE;
        case FLOAT: return FLOAT;
        case INT: return INT;
        case LONG: return LONG;
        case STRING: return STRING;
        case ARRAY:
          if (type.getElementType().getType() == Schema.Type.FLOAT) {
            return COEFFICIENTS;
          }
          break;
        default:
      }
      throw new IllegalStateException("no JSON reader for the analysis schema's type " + type);
    }
  }

  /** One field of a record: its JSON (and Avro) name, its position in the record, how it is read, if absent. */
  private static final class Field {
    final String name;
    final int position;
    final Kind kind;
    final boolean required;
    final boolean nonNegative;
    final Object absent;

    Field(Schema.Field field) {
      Schema type = field.schema();
      boolean nullable = type.getType() == Schema.Type.UNION;
      if (nullable) {
        type = type.getTypes().get(type.getTypes().get(0).getType() == Schema.Type.NULL ? 1 : 0);
      }
      Object fallback = field.defaultVal() == JsonProperties.NULL_VALUE ? null : field.defaultVal();
      this.name = field.name();
      this.position = field.pos();
      this.kind = Kind.of(type);
      this.required = !nullable && fallback == null;
      this.nonNegative = name.equals("duration");
      this.absent = fallback == null ? null : kind == Kind.FLOAT ? (Object) ((Number) fallback).floatValue()
          : kind == Kind.DOUBLE ? (Object) ((Number) fallback).doubleValue() : fallback;
    }
  }

  /** A record type read from JSON objects: its fields by name, in schema order. */
  private static final class Part<R extends SpecificRecord> {
    /** Where a list of these goes in {@link AudioAnalysis}, when it is one of the document's arrays. */
    final int position;
    final Supplier<R> create;
    final Field[] fields;
    final Map<String, Field> byName = new HashMap<>();
    final boolean nullIsAbsent;

    Part(String array, Schema schema, Supplier<R> create, boolean nullIsAbsent) {
      this.position = array == null ? -1 : AudioAnalysis.getClassSchema().getField(array).pos();
      this.create = create;
      this.nullIsAbsent = nullIsAbsent;
      this.fields = schema.getFields().stream().map(Field::new).toArray(Field[]::new);
      for (Field field : fields) {
        byName.put(field.name, field);
      }
    }

    /**
     * The record of {@code values} (by position) read from {@code part[i]} ({@code i} -1 for a single object): a
     * missing pitches or timbre first, then in schema order a missing required field or a negative duration.
     */
    R build(Object[] values, String part, int i) throws InvalidDocumentException {
      for (Field field : fields) {
        if (field.kind == Kind.COEFFICIENTS && values[field.position] == null) {
          throw new InvalidDocumentException(BAD_SEGMENT, part + "[" + i + "] has no " + field.name);
        }
      }
      R record = create.get();
      for (Field field : fields) {
        Object value = values[field.position];
        if (value == null && field.required) {
          throw new InvalidDocumentException(INVALID_DOCUMENT, where(part, i, field.name) + " is missing");
        }
        if (field.nonNegative && (Double) value < 0) {
          throw new InvalidDocumentException(NEGATIVE_DURATION, where(part, i, "duration") + " is " + value);
        }
        record.put(field.position, value != null ? value : field.absent);
      }
      return record;
    }
  }

  /** One pass over one document. Places in details are built only when a document is refused. */
  private static final class Reader {
    private final JsonParser p;
    private final String trackId;

    Reader(JsonParser parser, String trackId) {
      this.p = parser;
      this.trackId = trackId;
    }

    AudioAnalysis document() throws IOException, InvalidDocumentException {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new InvalidDocumentException(EMPTY_DOCUMENT, "no content");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new InvalidDocumentException(UNPARSABLE_DOCUMENT, "not a JSON object but " + first);
      }
      AudioAnalysis analysis = new AudioAnalysis(null, null, Collections.emptyList(), Collections.emptyList(),
          Collections.emptyList(), Collections.emptyList(), Collections.emptyList());
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (p.nextToken() == JsonToken.VALUE_NULL) {
          continue;
        }
        Part<?> array = ARRAYS.get(name);
        if (array != null) {
          analysis.put(array.position, records(array, name));
        } else if (name.equals("track")) {
          analysis.setTrack(record(TRACK, name, -1));
        } else if (name.equals("meta")) {
          analysis.setMeta(meta());
        } else if (name.equals("track_id")) {
          checkId(name);
        } else {
          p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new InvalidDocumentException(UNPARSABLE_DOCUMENT, "content after the JSON object");
      }
      if (analysis.getTrack() == null) {
        throw new InvalidDocumentException(INVALID_DOCUMENT, "no track object");
      }
      return analysis;
    }

    private void checkId(String where) throws IOException, InvalidDocumentException {
      if (p.currentToken().isScalarValue() && !trackId.equals(p.getText())) {
        throw new InvalidDocumentException(WRONG_TRACK_ID, where + " is '" + p.getText() + "', the dump says '"
            + trackId + "'");
      }
      p.skipChildren();
    }

    private Map<String, String> meta() throws IOException, InvalidDocumentException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new InvalidDocumentException(INVALID_DOCUMENT, "meta is not an object");
      }
      Map<String, String> meta = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("track_id") && value != JsonToken.VALUE_NULL) {
          checkId("meta.track_id");
        }
        if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
          meta.put(name, p.getText());
        } else {
          p.skipChildren();
        }
      }
      return meta;
    }

    private <R extends SpecificRecord> List<R> records(Part<R> type, String part)
        throws IOException, InvalidDocumentException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw new InvalidDocumentException(INVALID_DOCUMENT, part + " is not an array");
      }
      List<R> records = new ArrayList<>();
      for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
        records.add(record(type, part, i));
      }
      return records;
    }

    /** The object at the current token, {@code part[i]} ({@code i} -1: the part itself), read by its table. */
    private <R extends SpecificRecord> R record(Part<R> type, String part, int i)
        throws IOException, InvalidDocumentException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new InvalidDocumentException(INVALID_DOCUMENT, (i < 0 ? part : part + "[" + i + "]")
            + " is not an object");
      }
      Object[] values = new Object[type.fields.length];
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        Field field = type.byName.get(p.currentName());
        if (p.nextToken() == JsonToken.VALUE_NULL && type.nullIsAbsent) {
          continue;
        }
        if (field == null) {
          p.skipChildren(); // codestring, echoprintstring, synchstring, rhythmstring, unknown fields
        } else {
          values[field.position] = value(field, part, i);
        }
      }
      return type.build(values, part, i);
    }

    private Object value(Field field, String part, int i) throws IOException, InvalidDocumentException {
      switch (field.kind) {
        case DOUBLE:
          return number(part, i, field.name);
        case FLOAT:
          return real(part, i, field.name);
        case INT:
          return integer(part, i, field.name);
        case LONG:
          return (long) number(part, i, field.name);
        case STRING:
          if (!p.currentToken().isScalarValue()) {
            throw new InvalidDocumentException(INVALID_DOCUMENT, where(part, i, field.name) + " is not a string");
          }
          return p.getText();
        default:
          return coefficients(part, i, field.name);
      }
    }

    /**
     * Exactly {@value #COEFFICIENTS} finite numbers. A field's place ({@code segments[i].pitches}) is spelled only for a
     * refusal: building it for every number was a tenth of an import's CPU (docs/sizing.md).
     */
    private List<Float> coefficients(String part, int i, String name) throws IOException, InvalidDocumentException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw new InvalidDocumentException(BAD_SEGMENT, where(part, i, name) + " is not an array");
      }
      List<Float> values = new ArrayList<>(COEFFICIENTS);
      for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
          throw new InvalidDocumentException(BAD_SEGMENT, where(part, i, name) + "[" + values.size()
              + "] is not a number: " + p.getText());
        }
        double value = p.getDoubleValue();
        float coefficient = (float) value;
        if (!Float.isFinite(coefficient)) {
          throw notFinite(value, where(part, i, name) + "[" + values.size() + "]");
        }
        values.add(coefficient);
      }
      if (values.size() != COEFFICIENTS) {
        throw new InvalidDocumentException(BAD_SEGMENT, where(part, i, name) + " has " + values.size()
            + " numbers, not " + COEFFICIENTS);
      }
      return values;
    }

    private double number(String part, int i, String name) throws IOException, InvalidDocumentException {
      JsonToken token = p.currentToken();
      if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
        throw new InvalidDocumentException(INVALID_DOCUMENT, where(part, i, name) + " is not a number: "
            + shorten(p.getText()));
      }
      double value = p.getDoubleValue();
      if (!Double.isFinite(value)) {
        throw new InvalidDocumentException(NON_FINITE_NUMBER, where(part, i, name) + " is " + p.getText());
      }
      return value;
    }

    private float real(String part, int i, String name) throws IOException, InvalidDocumentException {
      double value = number(part, i, name);
      float real = (float) value;
      if (!Float.isFinite(real)) {
        throw notFinite(value, where(part, i, name));
      }
      return real;
    }

    private int integer(String part, int i, String name) throws IOException, InvalidDocumentException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        number(part, i, name); // the reason for a string, NaN ...
        throw new InvalidDocumentException(INVALID_DOCUMENT, where(part, i, name) + " is not an integer: "
            + p.getText());
      }
      return p.getIntValue();
    }
  }

  /** The refusal of a number that is not a finite float. */
  private static InvalidDocumentException notFinite(double value, String where) {
    return new InvalidDocumentException(NON_FINITE_NUMBER, where + " is " + value
        + (Double.isFinite(value) ? " (beyond a float)" : ""));
  }

  private static String where(String part, int i, String name) {
    return i < 0 ? part + "." + name : part + "[" + i + "]." + name;
  }

  private static String shorten(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
