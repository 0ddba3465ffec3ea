package io.nightjar.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.testkit.AvroRecords;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.s3.S3Access;
import io.nightjar.jobs.tracks.s3import.AnalysisDocuments;
import io.nightjar.jobs.tracks.snapshots.TrackAttributesFunction;
import io.nightjar.workflows.ChainDiagram;
import io.nightjar.workflows.OozieApp;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A week through the connected tracks chain on an in-process HDFS and a loopback S3 server, as the demo runs it: the
 * bulk import of the sample bucket promoted into the first full snapshot, then each day new and re-analysed documents
 * uploaded and listed by a growing dump, the analysis-import coordinator's daily import, and tracks-daily (compaction
 * on Sunday, attributes, retention). Every day's published attributes must equal attributes computed from scratch
 * from every document in S3 that the day's dump lists. The tools run from the shipped job jar ({@link ShippedJar}).
 */
public class ConnectedChainWeekIT {

  private static final File TESTDATA = new File("../testdata");
  private static final File APPS = new File("../workflows");
  /** Wednesday: the week crosses Sunday 2016-05-08, the compaction day. */
  private static final LocalDate BULK_DAY = LocalDate.parse("2016-05-04");

  private static DemoCluster cluster;
  private static ShippedJar shipped;
  private static FileSystem fs;
  private static Configuration conf;

  @BeforeClass
  public static void start() throws IOException {
    cluster = DemoCluster.start("connected-week");
    fs = cluster.fs;
    conf = cluster.conf;
    shipped = ShippedJar.open(new File(".."), conf);
  }

  @AfterClass
  public static void stop() throws IOException {
    if (shipped != null) {
      shipped.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  public void everyDaysAttributesEqualAComputationFromScratchOverS3() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(APPS);
    DailyChain chain = new DailyChain(fs, conf, TESTDATA, jobs).runningTools(shipped, shipped.testKit());
    assertEquals(0, chain.bulkImport(BULK_DAY));
    for (int k = 0; k < 7; k++) {
      LocalDate day = BULK_DAY.plusDays(k);
      Path dump = chain.deliverDocuments(day);
      for (String job : new String[] {"analysis-import", "tracks-daily"}) {
        assertEquals(job + " " + day, 0, chain.runJob(job, day, OozieApp.of(APPS, job).defaults()));
      }
      // The day's analysis: the daily import's incremental, or on Sunday the compaction's full that absorbed it.
      boolean sunday = day.getDayOfWeek() == DayOfWeek.SUNDAY;
      if (k > 0) {
        assertTrue(day + " analysis published", fs.exists(new Path(chain.path(sunday ? "tracks/analysis/full"
            : "tracks/analysis/incremental", day), Dataset.SUCCESS_FLAG)));
      }
      Map<String, TrackAttributes> expected = fromScratch(dump);
      Map<String, TrackAttributes> published = new TreeMap<>();
      for (TrackAttributes row : AvroRecords.read(fs, chain.path("tracks/attributes", day), TrackAttributes.class)) {
        row.setAnalysisFetchedAt(0L); // when nightjar fetched it, which a computation from S3 cannot know
        assertEquals("one row per track", null, published.put(row.getTrackId(), row));
      }
      assertEquals(day + ": tracks", expected.keySet(), published.keySet());
      Set<String> differing = new TreeSet<>();
      expected.forEach((id, attributes) -> {
        if (!attributes.equals(published.get(id))) {
          differing.add(id);
        }
      });
      assertEquals(day + ": tracks whose attributes differ from a computation from scratch", Set.of(), differing);
    }
    assertFalse("retention retired the bulk import's full after the compaction",
        fs.exists(chain.path("tracks/analysis/full", BULK_DAY)));
  }

  /** Every listed document that exists in S3 and parses, to attributes, without nightjar's datasets. */
  private static Map<String, TrackAttributes> fromScratch(Path dump) throws IOException {
    Map<String, TrackAttributes> expected = new TreeMap<>();
    try (S3Client client = S3Access.client(conf, 4);
         BufferedReader lines = new BufferedReader(new InputStreamReader(
             fs.open(new Path(dump, "metadata-dump.tsv")), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String[] fields = line.split("\t");
        if (fields.length != 2 || fields[0].isEmpty() || fields[1].isEmpty()) {
          continue; // a malformed line: quarantined by the import
        }
        ResponseBytes<GetObjectResponse> document;
        try {
          document = client.getObjectAsBytes(b -> b.bucket(DailyChain.BUCKET).key(fields[1]));
        } catch (NoSuchKeyException e) {
          continue; // listed without a document: missing
        }
        TrackAnalysis track = new TrackAnalysis();
        track.setTrackId(fields[0]);
        track.setS3Key(fields[1]);
        track.setFetchedAt(0L);
        track.setDeleted(false);
        try {
          track.setAnalysis(AnalysisDocuments.parse(fields[0], document.asByteArray()));
        } catch (AnalysisDocuments.InvalidDocumentException e) {
          continue; // damaged: quarantined
        }
        expected.put(fields[0], TrackAttributesFunction.compute(track));
      }
    }
    return expected;
  }
}
