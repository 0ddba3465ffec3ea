package io.nightjar.jobs.tracks.s3import;

import static org.junit.Assert.assertEquals;

import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.TrackLocation;
import io.nightjar.common.crunch.TextIds;
import java.util.ArrayList;
import java.util.List;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.impl.mem.MemPipeline;
import org.apache.crunch.types.writable.Writables;
import org.junit.Test;

/** The metadata dump's lines: what becomes a download and what is quarantined, with which reason. */
public class DumpParsingTest {

  @Test
  public void idsAndKeysWithPathSegmentsAreQuarantinedNotFetched() {
    PCollection<String> lines = MemPipeline.typedCollectionOf(Writables.strings(),
        "t1\tanalysis/t1.json",
        "../t2\tanalysis/t2.json",
        "t3\tanalysis/../secrets/t3.json",
        "t4\t/analysis/t4.json",
        "t5\tanalysis//t5.json",
        "t6\tanalysis/./t6.json",
        "t\u00017\tanalysis/t7.json",
        "t\uFEFF8\tanalysis/t8.json",
        "t\uFFFD9\tanalysis/t9.json",
        "just-one-field");

    Pair<PCollection<TrackLocation>, PCollection<QuarantineRecord>> parsed = S3Import.parseDump(lines);

    List<String> fetched = new ArrayList<>();
    parsed.first().materialize().forEach(l -> fetched.add(l.getTrackId()));
    List<String> reasons = new ArrayList<>();
    parsed.second().materialize().forEach(q -> reasons.add(q.getReason()));
    assertEquals(List.of("t1"), fetched);
    assertEquals(List.of(S3Import.UNSAFE_ID, S3Import.UNSAFE_ID, S3Import.UNSAFE_ID, S3Import.UNSAFE_ID,
        S3Import.UNSAFE_ID, TextIds.BAD_ID, TextIds.BAD_ID, TextIds.BAD_ID, S3Import.BAD_DUMP_LINE), reasons);
  }
}
