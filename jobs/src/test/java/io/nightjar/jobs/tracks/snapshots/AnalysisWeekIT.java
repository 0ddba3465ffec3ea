package io.nightjar.jobs.tracks.snapshots;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.SnapshotDataset;
import io.nightjar.jobs.HdfsTestCluster;
import io.nightjar.jobs.Printed;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * A week of analysis history as MapReduce on an in-process HDFS: a full snapshot on day 1, incrementals on days 2-7,
 * a compaction on day 5. Every day's attributes snapshot must equal the attributes computed from scratch from the
 * whole history up to that day; the compaction must equal a full recompute; retention must delete exactly what no
 * reader of the last day needs, and nothing before the new full is published.
 */
public class AnalysisWeekIT {

  private static final LocalDate FIRST = LocalDate.parse("2016-05-01");
  private static final Pattern COUNTS = Pattern.compile("(\\d+) reused, (\\d+) computed");
  @ClassRule
  public static final HdfsTestCluster hdfs = new HdfsTestCluster();

  @Test
  public void aWeekOfIncrementalsCompactionAndRetention() throws IOException {
    SnapshotDataset analysis = SnapshotDataset.of(hdfs.conf(), "tracks", "analysis");
    Dataset attributes = Dataset.of(hdfs.conf(), "tracks", "attributes");
    List<TrackAnalysis> history = new ArrayList<>();
    Map<Integer, String> retained = new TreeMap<>();
    long previousTracks = 0;
    for (int k = 1; k <= 7; k++) {
      LocalDate day = FIRST.plusDays(k - 1);
      Path delivery = (k == 1 ? analysis.full() : analysis.incremental()).dayPath(day);
      assertEquals(0, hdfs.run("generate-track-analysis", "--output", delivery.toString(), "--first-date",
          FIRST.toString(), "--day", Integer.toString(k), "--tracks", "2000", "--new", "40", "--changed", "15",
          "--deleted", "5"));
      hdfs.fs().create(new Path(delivery, Dataset.SUCCESS_FLAG)).close();
      history.addAll(hdfs.readAvro(delivery, TrackAnalysis.class));

      if (k == 5) {
        assertEquals(0, hdfs.run("analysis-compact", "--date", day.toString(), "--keep-days", "1"));
        assertEquals("compaction equals a full recompute from all history", live(history),
            byTrack(hdfs.readAvro(analysis.full().dayPath(day), TrackAnalysis.class)));
      }
      Printed run = Printed.by(() -> hdfs.run("attributes-daily", "--date", day.toString()));
      System.out.print(run.out);
      assertEquals(run.toString(), 0, run.status);
      String printed = run.out;
      assertEquals("attributes of " + day + " equal a recompute from scratch", expectedAttributes(history),
          attributesByTrack(hdfs.readAvro(attributes.dayPath(day), TrackAttributes.class)));
      Matcher counts = COUNTS.matcher(printed);
      assertTrue(printed, counts.find());
      long reused = Long.parseLong(counts.group(1));
      long computed = Long.parseLong(counts.group(2));
      if (k == 1) {
        assertEquals("no yesterday: everything computed", 0, reused);
      } else if (k == 5) {
        assertTrue("compaction day: unchanged tracks reused from the full, not " + reused,
            reused >= previousTracks - 15 - 5 && computed <= 40 + 15);
      } else {
        assertTrue(day + ": computed only new and changed tracks, not " + computed, computed <= 40 + 15);
        assertTrue(day + ": reused the rest, not " + reused, reused >= previousTracks - 15 - 5);
      }
      previousTracks = reused + computed;
      if (k >= 5) {
        assertEquals(0, hdfs.run("analysis-retire", "--date", day.toString(), "--keep-days", "1"));
      }
      retained.put(k, analysis.full().publishedDays(hdfs.fs()) + " " + analysis.incremental().publishedDays(hdfs.fs()));
    }
    assertEquals("[2016-05-01] [2016-05-02, 2016-05-03, 2016-05-04]", retained.get(4));
    assertEquals("day 5 keeps what yesterday's readers use; the absorbed day-5 incremental goes",
        "[2016-05-01, 2016-05-05] [2016-05-02, 2016-05-03, 2016-05-04]", retained.get(5));
    assertEquals("[2016-05-05] [2016-05-06]", retained.get(6));
    assertEquals("[2016-05-05] [2016-05-06, 2016-05-07]", retained.get(7));

    LocalDate earlier = FIRST.plusDays(2);
    Printed refusal = Printed.by(() -> hdfs.run("attributes-daily", "--date", earlier.toString()));
    assertEquals("an earlier day is not rewritten while later days exist: " + refusal, 1, refusal.status);
    assertTrue(refusal.toString(), refusal.err.contains("attributes is already published for [2016-05-04, "
        + "2016-05-05, 2016-05-06, 2016-05-07], after 2016-05-03"));
    assertEquals(0, hdfs.run("attributes-daily", "--date", earlier.toString(), "--dry-run"));
  }

  /** The live record of every track: latest by fetchedAt over the whole history, tombstoned tracks dropped. */
  private static Map<String, TrackAnalysis> live(List<TrackAnalysis> history) {
    Map<String, TrackAnalysis> latest = new HashMap<>();
    for (TrackAnalysis record : history) {
      latest.merge(record.getTrackId(), record, (a, b) -> AnalysisMerge.wins(b, a) ? b : a);
    }
    latest.values().removeIf(TrackAnalysis::getDeleted);
    return new TreeMap<>(latest);
  }

  private static Map<String, TrackAttributes> expectedAttributes(List<TrackAnalysis> history) {
    Map<String, TrackAttributes> expected = new TreeMap<>();
    live(history).forEach((id, record) -> expected.put(id, TrackAttributesFunction.compute(record)));
    return expected;
  }

  private static Map<String, TrackAnalysis> byTrack(List<TrackAnalysis> records) {
    Map<String, TrackAnalysis> byTrack = new TreeMap<>();
    records.forEach(r -> assertEquals("one record per track", null, byTrack.put(r.getTrackId(), r)));
    return byTrack;
  }

  private static Map<String, TrackAttributes> attributesByTrack(List<TrackAttributes> records) {
    Map<String, TrackAttributes> byTrack = new TreeMap<>();
    records.forEach(r -> assertEquals("one row per track", null, byTrack.put(r.getTrackId(), r)));
    return byTrack;
  }
}
