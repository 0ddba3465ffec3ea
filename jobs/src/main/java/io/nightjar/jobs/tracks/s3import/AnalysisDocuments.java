package io.nightjar.jobs.tracks.s3import;

import io.nightjar.avro.AudioAnalysis;
import io.nightjar.avro.Section;
import io.nightjar.avro.Segment;
import io.nightjar.avro.TimeInterval;
import io.nightjar.avro.TrackSummary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.codehaus.jackson.JsonFactory;
import org.codehaus.jackson.JsonParser;
import org.codehaus.jackson.JsonToken;

/**
 * Parses one audio-analysis document (the JSON layout music analysis APIs return: {@code meta}, {@code track},
 * {@code bars}, {@code beats}, {@code tatums}, {@code sections}, {@code segments}) into the typed
 * {@link AudioAnalysis} nightjar stores; a pure function, one streaming pass (Jackson 1's {@link JsonParser}, which
 * Avro 1.8.2 brings), no tree: a 250 KB document takes about a millisecond.
 *
 * <p>Only {@code track} (with {@code duration}) is required; {@code meta} and every array may be missing. Unknown
 * fields, and the fingerprint strings of {@code track} ({@code codestring}, {@code echoprintstring},
 * {@code synchstring}, {@code rhythmstring}), are skipped, not kept. The track id comes from the metadata dump: a
 * document naming another one (top-level or {@code meta.track_id}) is refused, one naming none is accepted.
 *
 * <p>Refusals, each with a detail naming the place: {@value #EMPTY_DOCUMENT}, {@value #UNPARSABLE_DOCUMENT} (not JSON,
 * not an object), {@value #INVALID_DOCUMENT} (a required part missing or of the wrong type), {@value #WRONG_TRACK_ID},
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

  private static final JsonFactory JSON = new JsonFactory()
      .configure(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS, true); // NaN and Infinity get their own reason

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
    try (JsonParser parser = JSON.createJsonParser(document)) {
      return new Reader(parser, trackId).document();
    } catch (IOException | RuntimeException e) {
      throw new InvalidDocumentException(UNPARSABLE_DOCUMENT, "not JSON: " + firstLine(e.getMessage()));
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
        String name = p.getCurrentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (name) {
          case "track_id":
            checkId(name);
            break;
          case "meta":
            analysis.setMeta(meta());
            break;
          case "track":
            analysis.setTrack(track());
            break;
          case "bars":
          case "beats":
          case "tatums":
            List<TimeInterval> intervals = intervals(name);
            if (name.equals("bars")) {
              analysis.setBars(intervals);
            } else if (name.equals("beats")) {
              analysis.setBeats(intervals);
            } else {
              analysis.setTatums(intervals);
            }
            break;
          case "sections":
            analysis.setSections(sections());
            break;
          case "segments":
            analysis.setSegments(segments());
            break;
          default:
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
      if (p.getCurrentToken().isScalarValue() && !trackId.equals(p.getText())) {
        throw new InvalidDocumentException(WRONG_TRACK_ID, where + " is '" + p.getText() + "', the dump says '"
            + trackId + "'");
      }
      p.skipChildren();
    }

    private Map<String, String> meta() throws IOException, InvalidDocumentException {
      expectObject("meta");
      Map<String, String> meta = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.getCurrentName();
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

    private TrackSummary track() throws IOException, InvalidDocumentException {
      expectObject("track");
      TrackSummary track = new TrackSummary();
      double duration = Double.NaN;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.getCurrentName();
        if (p.nextToken() == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (name) {
          case "duration":
            duration = number("track", -1, name);
            break;
          case "num_samples":
            track.setNumSamples((long) number("track", -1, name));
            break;
          case "sample_md5":
            track.setSampleMd5(p.getText());
            break;
          case "offset_seconds":
            track.setOffsetSeconds(number("track", -1, name));
            break;
          case "window_seconds":
            track.setWindowSeconds(number("track", -1, name));
            break;
          case "analysis_sample_rate":
            track.setAnalysisSampleRate(integer("track", -1, name));
            break;
          case "analysis_channels":
            track.setAnalysisChannels(integer("track", -1, name));
            break;
          case "end_of_fade_in":
            track.setEndOfFadeIn(number("track", -1, name));
            break;
          case "start_of_fade_out":
            track.setStartOfFadeOut(number("track", -1, name));
            break;
          case "loudness":
            track.setLoudness(number("track", -1, name));
            break;
          case "tempo":
            track.setTempo(number("track", -1, name));
            break;
          case "tempo_confidence":
            track.setTempoConfidence(number("track", -1, name));
            break;
          case "time_signature":
            track.setTimeSignature(integer("track", -1, name));
            break;
          case "time_signature_confidence":
            track.setTimeSignatureConfidence(number("track", -1, name));
            break;
          case "key":
            track.setKey(integer("track", -1, name));
            break;
          case "key_confidence":
            track.setKeyConfidence(number("track", -1, name));
            break;
          case "mode":
            track.setMode(integer("track", -1, name));
            break;
          case "mode_confidence":
            track.setModeConfidence(number("track", -1, name));
            break;
          default:
            p.skipChildren(); // codestring, echoprintstring, synchstring, rhythmstring, unknown fields
        }
      }
      track.setDuration(required(duration, "track", -1, "duration"));
      nonNegative(duration, "track", -1);
      return track;
    }

    private List<TimeInterval> intervals(String part) throws IOException, InvalidDocumentException {
      expectArray(part);
      List<TimeInterval> intervals = new ArrayList<>();
      for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
        expectElementObject(part, i);
        double start = Double.NaN;
        double duration = Double.NaN;
        float confidence = Float.NaN;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.getCurrentName();
          p.nextToken();
          switch (name) {
            case "start":
              start = number(part, i, name);
              break;
            case "duration":
              duration = number(part, i, name);
              break;
            case "confidence":
              confidence = real(part, i, name);
              break;
            default:
              p.skipChildren();
          }
        }
        intervals.add(new TimeInterval(required(start, part, i, "start"), nonNegative(required(duration, part, i,
            "duration"), part, i), required(confidence, part, i, "confidence")));
      }
      return intervals;
    }

    private List<Section> sections() throws IOException, InvalidDocumentException {
      String part = "sections";
      expectArray(part);
      List<Section> sections = new ArrayList<>();
      for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
        expectElementObject(part, i);
        double start = Double.NaN;
        double duration = Double.NaN;
        float confidence = Float.NaN;
        float loudness = Float.NaN;
        float tempo = Float.NaN;
        Integer key = null;
        Integer mode = null;
        Integer timeSignature = null;
        Float tempoConfidence = null;
        Float keyConfidence = null;
        Float modeConfidence = null;
        Float timeSignatureConfidence = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.getCurrentName();
          if (p.nextToken() == JsonToken.VALUE_NULL) {
            continue;
          }
          switch (name) {
            case "start":
              start = number(part, i, name);
              break;
            case "duration":
              duration = number(part, i, name);
              break;
            case "confidence":
              confidence = real(part, i, name);
              break;
            case "loudness":
              loudness = real(part, i, name);
              break;
            case "tempo":
              tempo = real(part, i, name);
              break;
            case "tempo_confidence":
              tempoConfidence = real(part, i, name);
              break;
            case "key":
              key = integer(part, i, name);
              break;
            case "key_confidence":
              keyConfidence = real(part, i, name);
              break;
            case "mode":
              mode = integer(part, i, name);
              break;
            case "mode_confidence":
              modeConfidence = real(part, i, name);
              break;
            case "time_signature":
              timeSignature = integer(part, i, name);
              break;
            case "time_signature_confidence":
              timeSignatureConfidence = real(part, i, name);
              break;
            default:
              p.skipChildren();
          }
        }
        sections.add(new Section(required(start, part, i, "start"),
            nonNegative(required(duration, part, i, "duration"), part, i), required(confidence, part, i, "confidence"),
            required(loudness, part, i, "loudness"), required(tempo, part, i, "tempo"), tempoConfidence,
            required(key, part, i, "key"), keyConfidence, required(mode, part, i, "mode"), modeConfidence,
            required(timeSignature, part, i, "time_signature"), timeSignatureConfidence));
      }
      return sections;
    }

    private List<Segment> segments() throws IOException, InvalidDocumentException {
      String part = "segments";
      expectArray(part);
      List<Segment> segments = new ArrayList<>();
      for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
        expectElementObject(part, i);
        double start = Double.NaN;
        double duration = Double.NaN;
        float confidence = Float.NaN;
        float loudnessStart = Float.NaN;
        float loudnessMax = Float.NaN;
        float loudnessMaxTime = Float.NaN;
        float loudnessEnd = 0f;
        List<Float> pitches = null;
        List<Float> timbre = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.getCurrentName();
          p.nextToken();
          switch (name) {
            case "start":
              start = number(part, i, name);
              break;
            case "duration":
              duration = number(part, i, name);
              break;
            case "confidence":
              confidence = real(part, i, name);
              break;
            case "loudness_start":
              loudnessStart = real(part, i, name);
              break;
            case "loudness_max":
              loudnessMax = real(part, i, name);
              break;
            case "loudness_max_time":
              loudnessMaxTime = real(part, i, name);
              break;
            case "loudness_end":
              loudnessEnd = real(part, i, name);
              break;
            case "pitches":
              pitches = coefficients(i, name);
              break;
            case "timbre":
              timbre = coefficients(i, name);
              break;
            default:
              p.skipChildren();
          }
        }
        if (pitches == null || timbre == null) {
          throw new InvalidDocumentException(BAD_SEGMENT, "segments[" + i + "] has no "
              + (pitches == null ? "pitches" : "timbre"));
        }
        segments.add(new Segment(required(start, part, i, "start"),
            nonNegative(required(duration, part, i, "duration"), part, i), required(confidence, part, i, "confidence"),
            required(loudnessStart, part, i, "loudness_start"), required(loudnessMax, part, i, "loudness_max"),
            required(loudnessMaxTime, part, i, "loudness_max_time"), loudnessEnd, pitches, timbre));
      }
      return segments;
    }

    /** Exactly {@value #COEFFICIENTS} finite numbers. */
    private List<Float> coefficients(int i, String name) throws IOException, InvalidDocumentException {
      if (p.getCurrentToken() != JsonToken.START_ARRAY) {
        throw new InvalidDocumentException(BAD_SEGMENT, "segments[" + i + "]." + name + " is not an array");
      }
      List<Float> values = new ArrayList<>(COEFFICIENTS);
      for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
          throw new InvalidDocumentException(BAD_SEGMENT, "segments[" + i + "]." + name + "[" + values.size()
              + "] is not a number: " + p.getText());
        }
        values.add(finiteFloat(p.getDoubleValue(), "segments[" + i + "]." + name + "[" + values.size() + "]"));
      }
      if (values.size() != COEFFICIENTS) {
        throw new InvalidDocumentException(BAD_SEGMENT, "segments[" + i + "]." + name + " has " + values.size()
            + " numbers, not " + COEFFICIENTS);
      }
      return values;
    }

    private double number(String part, int i, String name) throws IOException, InvalidDocumentException {
      JsonToken token = p.getCurrentToken();
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
      return finiteFloat(value, where(part, i, name));
    }

    private int integer(String part, int i, String name) throws IOException, InvalidDocumentException {
      if (p.getCurrentToken() != JsonToken.VALUE_NUMBER_INT) {
        number(part, i, name); // the reason for a string, NaN ...
        throw new InvalidDocumentException(INVALID_DOCUMENT, where(part, i, name) + " is not an integer: "
            + p.getText());
      }
      return p.getIntValue();
    }

    private void expectObject(String part) throws InvalidDocumentException {
      if (p.getCurrentToken() != JsonToken.START_OBJECT) {
        throw new InvalidDocumentException(INVALID_DOCUMENT, part + " is not an object");
      }
    }

    private void expectArray(String part) throws InvalidDocumentException {
      if (p.getCurrentToken() != JsonToken.START_ARRAY) {
        throw new InvalidDocumentException(INVALID_DOCUMENT, part + " is not an array");
      }
    }

    private void expectElementObject(String part, int i) throws InvalidDocumentException {
      if (p.getCurrentToken() != JsonToken.START_OBJECT) {
        throw new InvalidDocumentException(INVALID_DOCUMENT, part + "[" + i + "] is not an object");
      }
    }
  }

  private static float finiteFloat(double value, String where) throws InvalidDocumentException {
    float f = (float) value;
    if (!Float.isFinite(f)) {
      throw new InvalidDocumentException(NON_FINITE_NUMBER, where + " is " + value
          + (Double.isFinite(value) ? " (beyond a float)" : ""));
    }
    return f;
  }

  private static double required(double value, String part, int i, String name) throws InvalidDocumentException {
    if (Double.isNaN(value)) {
      throw missing(part, i, name);
    }
    return value;
  }

  private static float required(float value, String part, int i, String name) throws InvalidDocumentException {
    if (Float.isNaN(value)) {
      throw missing(part, i, name);
    }
    return value;
  }

  private static int required(Integer value, String part, int i, String name) throws InvalidDocumentException {
    if (value == null) {
      throw missing(part, i, name);
    }
    return value;
  }

  private static double nonNegative(double duration, String part, int i) throws InvalidDocumentException {
    if (duration < 0) {
      throw new InvalidDocumentException(NEGATIVE_DURATION, where(part, i, "duration") + " is " + duration);
    }
    return duration;
  }

  private static InvalidDocumentException missing(String part, int i, String name) {
    return new InvalidDocumentException(INVALID_DOCUMENT, where(part, i, name) + " is missing");
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
