package io.nightjar.testkit.tracks;

import io.nightjar.avro.AudioAnalysis;
import io.nightjar.avro.Section;
import io.nightjar.avro.Segment;
import io.nightjar.avro.TimeInterval;
import io.nightjar.avro.TrackSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.codehaus.jackson.JsonEncoding;
import org.codehaus.jackson.JsonFactory;
import org.codehaus.jackson.JsonGenerator;

/**
 * Seeded audio-analysis documents with the structure and sizes of real ones, for the generators, tests and
 * benchmarks: {@code segments} segments (a real track has several hundred, about 3 per second) with 12 pitches and
 * 12 timbre coefficients each, beats and tatums following the tempo, bars of {@code time_signature} beats, a handful
 * of sections with the odd tempo or key change. Numbers carry 3 decimals, as real documents do. As JSON
 * ({@link #toJson}) a document of 500 segments is about 250 KB, with fingerprint strings of realistic length.
 */
public final class SyntheticAnalysis {

  private static final JsonFactory JSON = new JsonFactory();

  private SyntheticAnalysis() {
  }

  /** One document; the same {@code random} state gives the same document. */
  public static AudioAnalysis generate(Random random, int segments) {
    double rate = 2 + random.nextDouble() * 2; // segments per second
    double duration = round3(Math.max(1, segments) / rate);
    double tempo = round3(60 + random.nextDouble() * 120);
    int key = random.nextInt(13) - 1;
    int mode = random.nextInt(2);
    int timeSignature = random.nextInt(5) == 0 ? 3 : 4;
    double loudness = round3(-30 + random.nextDouble() * 27);
    TrackSummary track = TrackSummary.newBuilder()
        .setDuration(duration)
        .setNumSamples((long) (duration * 22050))
        .setSampleMd5("")
        .setOffsetSeconds(0.0)
        .setWindowSeconds(0.0)
        .setAnalysisSampleRate(22050)
        .setAnalysisChannels(1)
        .setEndOfFadeIn(round3(random.nextDouble() * Math.min(2, duration / 10)))
        .setStartOfFadeOut(round3(duration * (0.9 + random.nextDouble() * 0.1)))
        .setLoudness(loudness)
        .setTempo(tempo)
        .setTempoConfidence(round3(random.nextDouble()))
        .setTimeSignature(timeSignature)
        .setTimeSignatureConfidence(round3(random.nextDouble()))
        .setKey(key)
        .setKeyConfidence(round3(random.nextDouble()))
        .setMode(mode)
        .setModeConfidence(round3(random.nextDouble()))
        .build();
    double beat = 60 / tempo;
    List<TimeInterval> beats = intervals(random, duration, beat, 0.02);
    List<TimeInterval> tatums = intervals(random, duration, beat / 2, 0.02);
    List<TimeInterval> bars = intervals(random, duration, beat * timeSignature, 0.01);
    List<Section> sections = new ArrayList<>();
    int sectionCount = 1 + Math.min(11, (int) (duration / 25));
    double sectionLength = duration / sectionCount;
    int sectionKey = Math.max(0, key);
    double sectionTempo = tempo;
    for (int s = 0; s < sectionCount; s++) {
      if (s > 0 && random.nextInt(5) == 0) {
        sectionKey = (sectionKey + 5) % 12;
      }
      if (s > 0 && random.nextInt(6) == 0) {
        sectionTempo = round3(sectionTempo * (random.nextBoolean() ? 1.1 : 0.9));
      }
      sections.add(new Section(round3(s * sectionLength), round3(sectionLength), (float) round3(random.nextDouble()),
          (float) round3(loudness - 3 + random.nextDouble() * 6), (float) sectionTempo,
          (float) round3(random.nextDouble()), sectionKey, (float) round3(random.nextDouble()), mode,
          (float) round3(random.nextDouble()), timeSignature, (float) round3(random.nextDouble())));
    }
    List<Segment> segmentList = new ArrayList<>(segments);
    double step = duration / Math.max(1, segments);
    for (int i = 0; i < segments; i++) {
      double start = round3(i * step);
      double length = round3(Math.min(step * (0.5 + random.nextDouble()), duration - start));
      float peak = (float) round3(loudness - 10 + random.nextDouble() * 15);
      List<Float> pitches = new ArrayList<>(12);
      int strongest = random.nextInt(12);
      for (int k = 0; k < 12; k++) {
        pitches.add(k == strongest ? 1f : (float) round3(random.nextDouble() * random.nextDouble()));
      }
      List<Float> timbre = new ArrayList<>(12);
      timbre.add((float) round3(30 + random.nextDouble() * 30));
      for (int k = 1; k < 12; k++) {
        timbre.add((float) round3((random.nextDouble() - 0.5) * 300 / k));
      }
      segmentList.add(new Segment(start, Math.max(0, length), (float) round3(random.nextDouble()),
          (float) round3(peak - 20 * random.nextDouble()), peak, (float) round3(random.nextDouble() * length),
          i == segments - 1 ? (float) round3(peak - 30) : 0f, pitches, timbre));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("analyzer_version", "4.0.0");
    meta.put("platform", "Linux");
    meta.put("detailed_status", "OK");
    meta.put("status_code", "0");
    meta.put("timestamp", Long.toString(1_400_000_000L + random.nextInt(100_000_000)));
    meta.put("analysis_time", Double.toString(round3(random.nextDouble() * 10)));
    meta.put("input_process", "libvorbisfile L+R 44100->22050");
    return new AudioAnalysis(meta, track, bars, beats, tatums, sections, segmentList);
  }

  private static List<TimeInterval> intervals(Random random, double duration, double length, double jitter) {
    List<TimeInterval> intervals = new ArrayList<>();
    for (double start = 0; start + length <= duration; start += length) {
      intervals.add(new TimeInterval(round3(start), round3(length * (1 + (random.nextDouble() - 0.5) * jitter)),
          (float) round3(random.nextDouble())));
    }
    return intervals;
  }

  /**
   * The document as JSON in the real layout: {@code trackId} (or none, as real documents have none), the fields of
   * {@code analysis}, the fingerprint strings of {@code track} (about 100 characters per second each, like real
   * ones; nightjar drops them) and, with {@code extraField}, a field nightjar does not know.
   */
  public static byte[] toJson(String trackId, AudioAnalysis analysis, Random random, boolean extraField) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + analysis.getSegments().size() * 400);
    try (JsonGenerator g = JSON.createJsonGenerator(bytes, JsonEncoding.UTF8)) {
      g.writeStartObject();
      if (trackId != null) {
        g.writeStringField("track_id", trackId);
      }
      if (analysis.getMeta() != null) {
        g.writeObjectFieldStart("meta");
        for (Map.Entry<String, String> entry : analysis.getMeta().entrySet()) {
          g.writeFieldName(entry.getKey());
          if (entry.getValue().matches("-?[0-9]+(\\.[0-9]+)?")) {
            g.writeNumber(entry.getValue()); // as real documents have status_code, timestamp ...
          } else {
            g.writeString(entry.getValue());
          }
        }
        g.writeEndObject();
      }
      TrackSummary t = analysis.getTrack();
      g.writeObjectFieldStart("track");
      field(g, "num_samples", t.getNumSamples());
      g.writeNumberField("duration", t.getDuration());
      if (t.getSampleMd5() != null) {
        g.writeStringField("sample_md5", t.getSampleMd5());
      }
      field(g, "offset_seconds", t.getOffsetSeconds());
      field(g, "window_seconds", t.getWindowSeconds());
      field(g, "analysis_sample_rate", t.getAnalysisSampleRate());
      field(g, "analysis_channels", t.getAnalysisChannels());
      field(g, "end_of_fade_in", t.getEndOfFadeIn());
      field(g, "start_of_fade_out", t.getStartOfFadeOut());
      field(g, "loudness", t.getLoudness());
      field(g, "tempo", t.getTempo());
      field(g, "tempo_confidence", t.getTempoConfidence());
      field(g, "time_signature", t.getTimeSignature());
      field(g, "time_signature_confidence", t.getTimeSignatureConfidence());
      field(g, "key", t.getKey());
      field(g, "key_confidence", t.getKeyConfidence());
      field(g, "mode", t.getMode());
      field(g, "mode_confidence", t.getModeConfidence());
      int fingerprint = (int) (t.getDuration() * 100);
      g.writeStringField("codestring", base64ish(random, fingerprint));
      g.writeNumberField("code_version", 3.15);
      g.writeStringField("echoprintstring", base64ish(random, fingerprint));
      g.writeNumberField("echoprint_version", 4.12);
      g.writeStringField("synchstring", base64ish(random, fingerprint / 20));
      g.writeNumberField("synch_version", 1.0);
      g.writeStringField("rhythmstring", base64ish(random, fingerprint / 4));
      g.writeNumberField("rhythm_version", 1.0);
      g.writeEndObject();
      intervals(g, "bars", analysis.getBars());
      intervals(g, "beats", analysis.getBeats());
      intervals(g, "tatums", analysis.getTatums());
      g.writeArrayFieldStart("sections");
      for (Section s : analysis.getSections()) {
        g.writeStartObject();
        g.writeNumberField("start", s.getStart());
        g.writeNumberField("duration", s.getDuration());
        g.writeNumberField("confidence", s.getConfidence());
        g.writeNumberField("loudness", s.getLoudness());
        g.writeNumberField("tempo", s.getTempo());
        field(g, "tempo_confidence", s.getTempoConfidence());
        g.writeNumberField("key", s.getKey());
        field(g, "key_confidence", s.getKeyConfidence());
        g.writeNumberField("mode", s.getMode());
        field(g, "mode_confidence", s.getModeConfidence());
        g.writeNumberField("time_signature", s.getTimeSignature());
        field(g, "time_signature_confidence", s.getTimeSignatureConfidence());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("segments");
      for (Segment s : analysis.getSegments()) {
        g.writeStartObject();
        g.writeNumberField("start", s.getStart());
        g.writeNumberField("duration", s.getDuration());
        g.writeNumberField("confidence", s.getConfidence());
        g.writeNumberField("loudness_start", s.getLoudnessStart());
        g.writeNumberField("loudness_max_time", s.getLoudnessMaxTime());
        g.writeNumberField("loudness_max", s.getLoudnessMax());
        g.writeNumberField("loudness_end", s.getLoudnessEnd());
        numbers(g, "pitches", s.getPitches());
        numbers(g, "timbre", s.getTimbre());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (extraField) {
        g.writeObjectFieldStart("nightjar_unknown_extra");
        g.writeStringField("note", "a field nightjar does not know; skipped");
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void intervals(JsonGenerator g, String name, List<TimeInterval> intervals) throws IOException {
    g.writeArrayFieldStart(name);
    for (TimeInterval interval : intervals) {
      g.writeStartObject();
      g.writeNumberField("start", interval.getStart());
      g.writeNumberField("duration", interval.getDuration());
      g.writeNumberField("confidence", interval.getConfidence());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void numbers(JsonGenerator g, String name, List<Float> values) throws IOException {
    g.writeArrayFieldStart(name);
    for (Float value : values) {
      g.writeNumber(value);
    }
    g.writeEndArray();
  }

  private static void field(JsonGenerator g, String name, Number value) throws IOException {
    if (value == null) {
      return;
    }
    g.writeFieldName(name);
    if (value instanceof Double) {
      g.writeNumber(value.doubleValue());
    } else if (value instanceof Float) {
      g.writeNumber(value.floatValue());
    } else {
      g.writeNumber(value.longValue());
    }
  }

  private static String base64ish(Random random, int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(alphabet.charAt(random.nextInt(64)));
    }
    return s.toString();
  }

  static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
