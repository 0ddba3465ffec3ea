package io.nightjar.jobs.tracks.snapshots;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.google.common.collect.Lists;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.dataset.RecordAccounting;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.crunch.PCollection;
import org.apache.crunch.impl.mem.MemPipeline;
import org.junit.Before;
import org.junit.Test;

/** Merge semantics on MemPipeline: latest wins by fetchedAt, tombstones, duplicates, and the daily attributes. */
public class AnalysisMergeTest {

  @Before
  public void clearCounters() {
    MemPipeline.clearCounters();
  }

  @Test
  public void latestFetchedAtWinsWhateverTheOrder() {
    List<TrackAnalysis> records = Arrays.asList(live("a", 300, 120), live("a", 100, 90), live("a", 200, 100));
    for (List<TrackAnalysis> order : Arrays.asList(records, Lists.reverse(records))) {
      assertEquals(Arrays.asList(live("a", 300, 120)), compact(order));
    }
  }

  @Test
  public void tombstonesDeleteAndWinTies() {
    assertEquals(Arrays.asList(), compact(Arrays.asList(live("a", 100, 90), tombstone("a", 200))));
    assertEquals(Arrays.asList(), compact(Arrays.asList(live("a", 200, 90), tombstone("a", 200))));
    assertEquals("re-analysed after deletion: back", Arrays.asList(live("a", 300, 95)),
        compact(Arrays.asList(live("a", 100, 90), tombstone("a", 200), live("a", 300, 95))));
  }

  @Test
  public void duplicatesAndIdenticalRecordsCollapseAndAreAccountedFor() {
    List<TrackAnalysis> full = Arrays.asList(live("a", 100, 90), live("b", 100, 80), live("c", 100, 70));
    List<TrackAnalysis> incremental = Arrays.asList(
        live("a", 100, 90),                      // identical to the full's record
        live("b", 150, 81), live("b", 120, 82),  // twice in one incremental: the later one wins
        tombstone("c", 130), live("d", 140, 60));
    List<TrackAnalysis> merged = compact(concat(full, incremental));
    assertEquals(Arrays.asList(live("a", 100, 90), live("b", 150, 81), live("d", 140, 60)), merged);

    RecordAccounting accounting = RecordAccounting.of(MemPipeline.getCounters());
    assertEquals(8, accounting.in());
    assertEquals(3, accounting.out());
    Map<String, Long> skipped = new TreeMap<>();
    skipped.put(AnalysisMerge.DELETED, 2L);
    skipped.put(AnalysisMerge.SUPERSEDED, 3L);
    assertEquals(skipped, accounting.skipReasons());
    accounting.check();
  }

  @Test
  public void dailyAttributesReuseUnchangedComputeChangedAndDropDeleted() {
    TrackAttributes a = TrackAttributesFunction.compute(live("a", 100, 90));
    TrackAttributes b = TrackAttributesFunction.compute(live("b", 100, 80));
    TrackAttributes c = TrackAttributesFunction.compute(live("c", 100, 70));
    PCollection<TrackAttributes> yesterday = MemPipeline.typedCollectionOf(AnalysisMerge.ATTRIBUTES, a, b, c);
    PCollection<TrackAnalysis> incremental = MemPipeline.typedCollectionOf(AnalysisMerge.ANALYSIS,
        live("b", 200, 140), tombstone("c", 200), live("d", 200, 60), live("a", 100, 90));
    Map<String, TrackAttributes> today = byTrack(AnalysisMerge.attributes(AnalysisMerge.byTrack(yesterday),
        incremental, false));

    assertEquals(Arrays.asList("a", "b", "d"), Lists.newArrayList(today.keySet()));
    assertEquals(a, today.get("a"));
    assertEquals("fast", today.get("b").getTempoClass());
    assertEquals(200L, (long) today.get("b").getAnalysisFetchedAt());
    assertEquals(1, counter(AnalysisMerge.REUSED));
    assertEquals(2, counter(AnalysisMerge.COMPUTED));

    MemPipeline.clearCounters();
    PCollection<TrackAnalysis> full = MemPipeline.typedCollectionOf(AnalysisMerge.ANALYSIS, live("a", 100, 90));
    Map<String, TrackAttributes> compactionDay = byTrack(AnalysisMerge.attributes(
        AnalysisMerge.byTrack(yesterday), full, true));
    assertEquals("a full delivery lists every live track", Arrays.asList("a"),
        Lists.newArrayList(compactionDay.keySet()));
    assertEquals(1, counter(AnalysisMerge.REUSED));
    assertEquals(2, RecordAccounting.of(MemPipeline.getCounters()).skipped());
  }

  @Test
  public void incrementalPathGivesTheSameAttributesAndAccountsForBothSides() {
    TrackAttributes a = TrackAttributesFunction.compute(live("a", 100, 90));
    TrackAttributes b = TrackAttributesFunction.compute(live("b", 100, 80));
    TrackAttributes c = TrackAttributesFunction.compute(live("c", 100, 70));
    PCollection<TrackAttributes> yesterday = MemPipeline.typedCollectionOf(AnalysisMerge.ATTRIBUTES, a, b, c);
    PCollection<TrackAnalysis> incremental = MemPipeline.typedCollectionOf(AnalysisMerge.ANALYSIS,
        live("b", 200, 140), live("b", 150, 141), tombstone("c", 200), live("d", 200, 60), tombstone("x", 200));
    Map<String, TrackAttributes> viaCogroup = byTrack(AnalysisMerge.attributes(AnalysisMerge.byTrack(yesterday),
        incremental, false));
    MemPipeline.clearCounters();
    Map<String, TrackAttributes> viaMapside = byTrack(AnalysisMerge.attributesFromIncremental(yesterday, incremental));
    assertEquals(viaCogroup, viaMapside);
    assertEquals(1, counter(AnalysisMerge.REUSED));
    assertEquals(2, counter(AnalysisMerge.COMPUTED));
    RecordAccounting accounting = RecordAccounting.of(MemPipeline.getCounters());
    assertEquals(3 + 4, accounting.in());
    assertEquals(3, accounting.out());
    assertEquals(Long.valueOf(2), accounting.skipReasons().get(AnalysisMerge.SUPERSEDED_BY_DELIVERY));
    assertEquals(Long.valueOf(2), accounting.skipReasons().get(AnalysisMerge.TRACK_DELETED));
    accounting.check();
  }

  @Test
  public void attributesAreAPureFunctionOfOneAnalysis() {
    TrackAttributes attributes = TrackAttributesFunction.compute(live("t", 7, 128.26));
    assertEquals(128.3, attributes.getTempo(), 0);
    assertEquals("medium", attributes.getTempoClass());
    assertEquals("D", attributes.getKey());
    assertEquals("major", attributes.getMode());
    assertEquals(Integer.valueOf(4), attributes.getTimeSignature());
    assertEquals(7L, (long) attributes.getAnalysisFetchedAt());
    TrackAnalysis noKey = live("t", 7, 60);
    noKey.getAnalysis().getTrack().setKey(-1);
    assertNull(TrackAttributesFunction.compute(noKey).getKey());
    assertEquals(attributes, TrackAttributesFunction.compute(live("t", 7, 128.26)));
  }

  @Test
  public void aTieOfTwoVersionsIsDecidedByContentNotOrder() {
    TrackAnalysis x = live("a", 100, 90);
    TrackAnalysis y = live("a", 100, 91);
    TrackAnalysis winner = AnalysisMerge.wins(x, y) ? x : y;
    assertTrue(AnalysisMerge.wins(x, y) != AnalysisMerge.wins(y, x));
    for (List<TrackAnalysis> order : Arrays.asList(Arrays.asList(x, y), Arrays.asList(y, x))) {
      assertEquals(Arrays.asList(winner), compact(order));
      MemPipeline.clearCounters();
      Map<String, TrackAttributes> computed = byTrack(AnalysisMerge.attributesFromScratch(
          MemPipeline.typedCollectionOf(AnalysisMerge.ANALYSIS, order)));
      assertEquals("the map-side path picks the same version", TrackAttributesFunction.compute(winner),
          computed.get("a"));
    }
  }

  @Test(expected = IllegalArgumentException.class)
  public void noAttributesForATombstone() {
    TrackAttributesFunction.compute(tombstone("t", 1));
  }

  private static List<TrackAnalysis> compact(List<TrackAnalysis> records) {
    List<TrackAnalysis> merged = Lists.newArrayList(AnalysisMerge.compact(
        MemPipeline.typedCollectionOf(AnalysisMerge.ANALYSIS, records)).materialize());
    merged.sort((x, y) -> x.getTrackId().compareTo(y.getTrackId()));
    return merged;
  }

  private static Map<String, TrackAttributes> byTrack(PCollection<TrackAttributes> attributes) {
    Map<String, TrackAttributes> byTrack = new TreeMap<>();
    attributes.materialize().forEach(a -> byTrack.put(a.getTrackId(), a));
    return byTrack;
  }

  private static long counter(String name) {
    return MemPipeline.getCounters().findCounter(AnalysisMerge.ATTRIBUTES_GROUP, name).getValue();
  }

  private static List<TrackAnalysis> concat(List<TrackAnalysis> a, List<TrackAnalysis> b) {
    List<TrackAnalysis> all = Lists.newArrayList(a);
    all.addAll(b);
    return all;
  }

  static TrackAnalysis live(String id, long fetchedAt, double tempo) {
    return TrackAnalysis.newBuilder().setTrackId(id).setS3Key(null).setFetchedAt(fetchedAt).setDeleted(false)
        .setAnalysis(TrackAttributesFunctionTest.analysis(tempo)).build();
  }

  static TrackAnalysis tombstone(String id, long fetchedAt) {
    return TrackAnalysis.newBuilder().setTrackId(id).setS3Key(null).setFetchedAt(fetchedAt).setDeleted(true)
        .setAnalysis(null).build();
  }
}
