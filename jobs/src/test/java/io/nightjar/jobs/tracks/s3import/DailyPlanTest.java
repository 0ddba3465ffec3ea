package io.nightjar.jobs.tracks.s3import;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackLocation;
import io.nightjar.common.dataset.RecordAccounting;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.generic.GenericData;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.impl.mem.MemPipeline;
import org.apache.crunch.types.avro.Avros;
import org.junit.Test;

/** A daily import downloads what is new or changed against the view of the day before, and nothing else. */
public class DailyPlanTest {

  private static final long DAY = 1462060800000L; // 2016-05-01

  @Test
  public void onlyNewAndChangedIdsAreDownloaded() {
    MemPipeline.clearCounters();
    Pair<PCollection<TrackLocation>, PCollection<TrackAnalysis>> plan = plan(false);
    Set<String> downloads = new TreeSet<>();
    for (TrackLocation location : plan.first().materialize()) {
      downloads.add(location.getTrackId() + "=" + location.getS3Key());
    }
    assertEquals(Set.of("t2=k2-new", "t3=k3", "t5=k5", "t6=k6"), downloads);
    assertTrue(toList(plan.second()).isEmpty());
    RecordAccounting accounting = RecordAccounting.of(MemPipeline.getCounters());
    assertEquals(Long.valueOf(1), accounting.skipReasons().get(S3Import.UNCHANGED));
    assertEquals(Long.valueOf(1), accounting.skipReasons().get(S3Import.NOT_IN_DUMP));
    assertEquals(Long.valueOf(1), accounting.skipReasons().get(S3Import.DUPLICATE_ID));
    assertEquals("one in per listing and per view-only id", 7, accounting.in());
    assertEquals("the rest is to download", 4, accounting.in() - accounting.skipped() - accounting.out());
  }

  @Test
  public void idsThatLeftTheDumpBecomeTombstonesWhenAsked() {
    List<TrackAnalysis> tombstones = toList(plan(true).second());
    assertEquals(1, tombstones.size());
    TrackAnalysis tombstone = tombstones.get(0);
    assertEquals("t4", tombstone.getTrackId());
    assertTrue(tombstone.getDeleted());
    assertEquals(DAY, (long) tombstone.getFetchedAt());
    assertEquals(null, tombstone.getAnalysis());
  }

  private static Pair<PCollection<TrackLocation>, PCollection<TrackAnalysis>> plan(boolean tombstones) {
    PCollection<TrackLocation> listed = MemPipeline.typedCollectionOf(Avros.specifics(TrackLocation.class),
        new TrackLocation("t1", "k1"), new TrackLocation("t2", "k2-new"), new TrackLocation("t3", "k3"),
        new TrackLocation("t5", "k5"), new TrackLocation("t6", "k6"), new TrackLocation("t6", "k6"));
    PCollection<GenericData.Record> view = MemPipeline.typedCollectionOf(Avros.generics(S3Import.VIEW_PROJECTION),
        entry("t1", "k1", 1, false), entry("t2", "k2-old", 1, false),
        entry("t4", "k4", 1, false), entry("t5", "k5", 1, false), entry("t5", "k5", 2, true));
    return S3Import.dailyPlan(listed, view, tombstones, DAY);
  }

  private static GenericData.Record entry(String id, String key, long fetchedAt, boolean deleted) {
    GenericData.Record record = new GenericData.Record(S3Import.VIEW_PROJECTION);
    record.put("trackId", id);
    record.put("s3Key", key);
    record.put("fetchedAt", fetchedAt);
    record.put("deleted", deleted);
    return record;
  }

  private static <T> List<T> toList(PCollection<T> collection) {
    List<T> list = new ArrayList<>();
    collection.materialize().forEach(list::add);
    return list;
  }
}
