package io.nightjar.jobs.tracks.snapshots;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.AudioAnalysis;
import io.nightjar.avro.Section;
import io.nightjar.avro.Segment;
import io.nightjar.avro.TimeInterval;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.avro.TrackSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.crunch.impl.mem.MemPipeline;
import org.junit.Test;

/**
 * Each attribute formula (documented in TrackAttributes.avsc) against values computed by hand, on a document of three
 * segments, three sections and four beats; and the same through the Crunch building blocks on MemPipeline.
 */
public class TrackAttributesFunctionTest {

  private static final double EPS = 1e-9;

  /**
   * Segments (duration d, loudness_max L, pitches, timbre[0], timbre[1]):
   * A (1, -10, C, 10, 0), B (2, -20, C#, 40, 3), C (1, -30, C and C#, 20, -3). W = 4.
   */
  static TrackAnalysis handMade() {
    List<Segment> segments = Arrays.asList(
        segment(0, 1, -10, pitches(0), timbre(10, 0)),
        segment(1, 2, -20, pitches(1), timbre(40, 3)),
        segment(3, 1, -30, pitches(0, 1), timbre(20, -3)));
    List<Section> sections = Arrays.asList(section(0, 120, 0, 1), section(1.5, 124, 0, 0), section(3, 130, 7, 0));
    List<TimeInterval> beats = Arrays.asList(new TimeInterval(0.0, 0.5, 1f), new TimeInterval(0.5, 0.5, 1f),
        new TimeInterval(1.0, 0.6, 1f), new TimeInterval(1.6, 0.4, 1f));
    TrackSummary track = TrackSummary.newBuilder().setDuration(4.0).setTempo(128.26).setKey(2).setMode(1)
        .setLoudness(-7.24).setTimeSignature(4).build();
    AudioAnalysis analysis = new AudioAnalysis(null, track, Collections.emptyList(), beats, Collections.emptyList(),
        sections, segments);
    return TrackAnalysis.newBuilder().setTrackId("t").setFetchedAt(7L).setDeleted(false).setAnalysis(analysis).build();
  }

  @Test
  public void everyFormulaMatchesTheHandComputedValue() {
    TrackAttributes a = TrackAttributesFunction.compute(handMade());
    assertEquals(4.0, a.getDuration(), 0);
    assertEquals(128.3, a.getTempo(), 0);
    assertEquals("medium", a.getTempoClass());
    assertEquals("D", a.getKey());
    assertEquals("major", a.getMode());
    assertEquals(Integer.valueOf(4), a.getTimeSignature());
    assertEquals(-7.2, a.getLoudness(), 0);
    assertEquals(3, (int) a.getSegmentCount());
    assertEquals(3 / 4.0, a.getSegmentRate(), EPS);
    // timbre[0]: (1*10 + 2*40 + 1*20) / 4 = 27.5; variance (1*17.5^2 + 2*12.5^2 + 1*7.5^2) / 4 = 168.75
    assertEquals(27.5, a.getTimbreMean().get(0), EPS);
    assertEquals(168.75, a.getTimbreVariance().get(0), EPS);
    // timbre[1]: (0 + 6 - 3) / 4 = 0.75; variance (0.75^2 + 2*2.25^2 + 3.75^2) / 4 = 6.1875
    assertEquals(0.75, a.getTimbreMean().get(1), EPS);
    assertEquals(6.1875, a.getTimbreVariance().get(1), EPS);
    assertEquals(0.0, a.getTimbreMean().get(11), EPS);
    assertEquals(0.0, a.getTimbreVariance().get(11), EPS);
    // pitch classes: C = 1*1 + 1*1 = 2, C# = 2*1 + 1*1 = 3, of 5
    List<Double> profile = new ArrayList<>(Collections.nCopies(12, 0.0));
    profile.set(0, 0.4);
    profile.set(1, 0.6);
    assertEquals(12, a.getPitchClassProfile().size());
    for (int k = 0; k < 12; k++) {
      assertEquals(profile.get(k), a.getPitchClassProfile().get(k), EPS);
    }
    // loudness_max sorted -30, -20, -10: P95 = 3rd (ceil 2.85), P5 = 1st (ceil 0.15): range 20
    assertEquals(20.0, a.getLoudnessRange(), EPS);
    // population standard deviation of -10, -20, -30: sqrt(200 / 3)
    assertEquals(Math.sqrt(200 / 3.0), a.getDynamics(), EPS);
    assertEquals(3, (int) a.getSectionCount());
    assertEquals("120 -> 124 is within 5 bpm, 124 -> 130 is not", 1, (int) a.getTempoChanges());
    assertEquals("C major -> C minor -> G minor", 2, (int) a.getKeyChanges());
    // beats 0.5, 0.5, 0.6, 0.4: mean 0.5, population sd sqrt(0.02 / 4)
    assertEquals(Math.sqrt(0.005) / 0.5, a.getBeatRegularity(), EPS);
    assertEquals(7L, (long) a.getAnalysisFetchedAt());
  }

  @Test
  public void aDocumentWithoutOptionalPartsStillHasAttributes() {
    TrackAnalysis bare = TrackAnalysis.newBuilder().setTrackId("t").setFetchedAt(1L).setDeleted(false)
        .setAnalysis(new AudioAnalysis(null, TrackSummary.newBuilder().setDuration(0.0).build(),
            Collections.emptyList(), Collections.emptyList(), Collections.emptyList(), Collections.emptyList(),
            Collections.emptyList())).build();
    TrackAttributes a = TrackAttributesFunction.compute(bare);
    assertNull(a.getTempo());
    assertNull(a.getTempoClass());
    assertNull(a.getKey());
    assertNull(a.getMode());
    assertEquals(0, (int) a.getSegmentCount());
    assertEquals(0.0, a.getSegmentRate(), 0);
    assertTrue(a.getTimbreMean().isEmpty() && a.getTimbreVariance().isEmpty() && a.getPitchClassProfile().isEmpty());
    assertNull(a.getLoudnessRange());
    assertNull(a.getDynamics());
    assertEquals(0, (int) a.getSectionCount());
    assertNull(a.getBeatRegularity());
  }

  @Test
  public void nearestRankPercentiles() {
    double[] sorted = new double[20];
    for (int i = 0; i < 20; i++) {
      sorted[i] = i + 1;
    }
    assertEquals(19.0, TrackAttributesFunction.percentile(sorted, 95), 0); // ceil(19.0) = 19th
    assertEquals(1.0, TrackAttributesFunction.percentile(sorted, 5), 0);   // ceil(1.0) = 1st
    assertEquals(7.0, TrackAttributesFunction.percentile(new double[] {7}, 5), 0);
  }

  @Test
  public void theCrunchPathsComputeTheSameValues() {
    MemPipeline.clearCounters();
    TrackAnalysis track = handMade();
    List<TrackAttributes> computed = new ArrayList<>();
    AnalysisMerge.attributesFromScratch(MemPipeline.typedCollectionOf(AnalysisMerge.ANALYSIS, track)).materialize()
        .forEach(computed::add);
    assertEquals(Collections.singletonList(TrackAttributesFunction.compute(track)), computed);
    List<TrackAttributes> incremental = new ArrayList<>();
    AnalysisMerge.attributesFromIncremental(MemPipeline.typedCollectionOf(AnalysisMerge.ATTRIBUTES),
        MemPipeline.typedCollectionOf(AnalysisMerge.ANALYSIS, track)).materialize().forEach(incremental::add);
    assertEquals(computed, incremental);
  }

  /** A document with only track-level values (duration 200 s, key D major, 4/4, -7.5 dB) and {@code tempo}. */
  static AudioAnalysis analysis(double tempo) {
    return new AudioAnalysis(null, TrackSummary.newBuilder().setDuration(200.0).setTempo(tempo).setKey(2).setMode(1)
        .setLoudness(-7.5).setTimeSignature(4).build(), Collections.emptyList(), Collections.emptyList(),
        Collections.emptyList(), Collections.emptyList(), Collections.emptyList());
  }

  private static Segment segment(double start, double duration, float loudnessMax, List<Float> pitches,
      List<Float> timbre) {
    return new Segment(start, duration, 1f, -60f, loudnessMax, 0.1f, 0f, pitches, timbre);
  }

  private static Section section(double start, float tempo, int key, int mode) {
    return new Section(start, 1.5, 1f, -8f, tempo, null, key, null, mode, null, 4, null);
  }

  private static List<Float> pitches(int... strong) {
    List<Float> pitches = new ArrayList<>(Collections.nCopies(12, 0f));
    for (int k : strong) {
      pitches.set(k, 1f);
    }
    return pitches;
  }

  private static List<Float> timbre(float first, float second) {
    List<Float> timbre = new ArrayList<>(Collections.nCopies(12, 0f));
    timbre.set(0, first);
    timbre.set(1, second);
    return timbre;
  }
}
