package io.nightjar.jobs.tracks.s3import;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.testkit.tracks.DocumentUploader;
import io.nightjar.testkit.tracks.SyntheticAnalysis;
import io.nightjar.avro.ImportFailure;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.s3.S3Access;
import io.nightjar.jobs.HdfsTestCluster;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.Printed;
import io.nightjar.jobs.tracks.s3import.FaultInjectingProxy.Fault;
import io.nightjar.s3server.LoopbackS3;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * s3-import as MapReduce on an in-process HDFS against a real S3 server on loopback (S3Proxy), seeded from testdata:
 * every id of the dump ends imported, missing, failed or quarantined, exactly once; reruns carry what was imported
 * over instead of downloading it again; injected 503/500/resets/truncated bodies are retried, persistent failures
 * are listed exactly, and a --retry-failed run completes the set.
 */
public class S3ImportIT {

  private static final File TESTDATA = new File("../testdata/tracks");
  private static final String DUMP = "/dumps/2016-05-01/metadata-dump.tsv";
  private static LoopbackS3 s3;
  @ClassRule
  public static final HdfsTestCluster hdfs = new HdfsTestCluster();
  private static Set<String> listed;
  private static Set<String> uploaded;

  @BeforeClass
  public static void seed() throws IOException {
    s3 = LoopbackS3.start(null);
    try (S3Client client = S3Access.client(conf(s3.endpoint()), 16)) {
      DocumentUploader.upload(client, "analysis", new File(TESTDATA, "documents"));
    }
    hdfs.fs().copyFromLocalFile(new Path(new File(TESTDATA, "metadata-dump.tsv").getAbsolutePath()), new Path(DUMP));
    listed = Files.readAllLines(new File(TESTDATA, "metadata-dump.tsv").toPath()).stream()
        .filter(line -> line.matches("track-\\d+\tanalysis/.*")).map(line -> line.split("\t")[0])
        .collect(Collectors.toCollection(TreeSet::new));
    uploaded = new TreeSet<>();
    for (String name : new File(TESTDATA, "documents/analysis").list()) {
      uploaded.add(name.replace(".json", ""));
    }
  }

  @AfterClass
  public static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  public void everyIdEndsInExactlyOneOutcomeAndRerunsCarryImportsOver() throws Exception {
    assertEquals(0, importer(s3.endpoint(), "--date", "2016-05-01", "--dump", DUMP, "--chunks", "2",
        "--target-file-mb", "1"));
    Outcomes outcomes = new Outcomes("2016-05-01", 2);
    Set<String> absent = new TreeSet<>(listed);
    absent.removeAll(uploaded);
    assertEquals(12, absent.size());
    assertEquals("missing = listed ids without an object", absent, outcomes.missing);
    Set<String> corrupt = uploaded.stream().filter(S3ImportIT::isCorrupt).collect(Collectors.toSet());
    assertEquals(7, corrupt.size());
    assertEquals("quarantined = objects that do not parse", corrupt, outcomes.quarantined);
    assertTrue(outcomes.failed.isEmpty());
    Set<String> all = new TreeSet<>(outcomes.imported);
    all.addAll(outcomes.missing);
    all.addAll(outcomes.quarantined);
    assertEquals("every listed id exactly once", listed, all);
    assertEquals(listed.size(), outcomes.imported.size() + outcomes.missing.size() + outcomes.quarantined.size());
    assertEquals("two malformed dump lines, each quarantined by one chunk", 2, outcomes.badDumpLines);
    assertEquals("one packed file per chunk, not one per object", 2, outcomes.dataFiles);

    TrackAnalysis first = outcomes.records.get("track-000000");
    assertEquals("the whole document, typed", AnalysisDocuments.parse("track-000000", Files.readAllBytes(
        new File(TESTDATA, "documents/analysis/track-000000.json").toPath())), first.getAnalysis());
    assertTrue(first.getAnalysis().getSegments().size() > 0);

    // Rerun chunk 1 alone, through a counting proxy: the same records; imported ids are not downloaded again.
    Outcomes chunk1 = new Outcomes("2016-05-01", 2, 1);
    // As a run killed mid-download leaves its work folder: the rerun, holding the day's lease, removes it.
    Path deadRunsWork = new Path("/nightjar/tracks/analysis-import/chunk-1-of-2/_work-2016-05-01-12345/todo");
    hdfs.fs().create(new Path(deadRunsWork, "part-m-00000.avro")).close();
    try (FaultInjectingProxy counting = new FaultInjectingProxy(s3.port(), (path, attempt) -> null)) {
      assertEquals(0, importer(counting.endpoint(), "--date", "2016-05-01", "--dump", DUMP, "--chunks", "2",
          "--chunk", "1"));
      assertEquals("only ids not imported before were requested",
          chunk1.missing.size() + chunk1.quarantined.size(), counting.gets());
    }
    assertFalse("a dead run's work folder is removed", hdfs.fs().exists(deadRunsWork.getParent()));
    Outcomes rerun = new Outcomes("2016-05-01", 2);
    assertEquals(outcomes.records, rerun.records);
    assertEquals(outcomes.missing, rerun.missing);
    assertEquals(outcomes.quarantined, rerun.quarantined);
  }

  @Test
  public void theBulkImportBecomesTheFirstFullAndADailyImportFetchesOnlyWhatIsNewOrChanged() throws Exception {
    List<String> good = uploaded.stream().filter(id -> !isCorrupt(id)).collect(Collectors.toList());
    String changed = good.get(0);
    String added = good.get(1);
    List<String> dumpLines = Files.readAllLines(new File(TESTDATA, "metadata-dump.tsv").toPath());
    writeDump("/dumps/2016-07-01/dump.tsv", dumpLines.stream().filter(line -> !line.startsWith(added + "\t"))
        .collect(Collectors.toList()));
    assertEquals(0, importer(s3.endpoint(), "--date", "2016-07-01", "--dump", "/dumps/2016-07-01/dump.tsv",
        "--chunks", "2"));
    assertEquals(0, Main.run(hdfs.conf(), "promote-import", "--date", "2016-07-01", "--chunks", "2"));
    Path full = new Path("/nightjar/tracks/analysis/full/2016-07-01");
    assertTrue(hdfs.fs().exists(new Path(full, Dataset.SUCCESS_FLAG)));
    int imported = hdfs.readAvro(full, TrackAnalysis.class).size();
    assertEquals("the bulk import, all of it, is the first full", good.size() - 1, imported);

    // The next day: one track's document moved to a new key, one track new in the dump.
    try (S3Client client = S3Access.client(conf(s3.endpoint()), 1)) {
      client.putObject(b -> b.bucket("analysis").key("analysis/v2/" + changed + ".json"),
          software.amazon.awssdk.core.sync.RequestBody.fromFile(new File(TESTDATA, "documents/analysis/" + changed
              + ".json")));
    }
    writeDump("/dumps/2016-07-02/dump.tsv", dumpLines.stream()
        .map(line -> line.startsWith(changed + "\t") ? changed + "\tanalysis/v2/" + changed + ".json" : line)
        .collect(Collectors.toList()));
    long absent = listed.size() - uploaded.size();
    long corrupt = uploaded.stream().filter(S3ImportIT::isCorrupt).count();
    try (FaultInjectingProxy counting = new FaultInjectingProxy(s3.port(), (path, attempt) -> null)) {
      assertEquals(0, importer(counting.endpoint(), "--daily", "--date", "2016-07-02",
          "--dump", "/dumps/2016-07-02/dump.tsv"));
      assertEquals("GETs for the changed and the new track, and for ids never imported (absent, corrupt) only",
          2 + absent + corrupt, counting.gets());
    }
    Map<String, TrackAnalysis> incremental = new TreeMap<>();
    for (TrackAnalysis record : hdfs.readAvro(new Path("/nightjar/tracks/analysis/incremental/2016-07-02"),
        TrackAnalysis.class)) {
      incremental.put(record.getTrackId(), record);
    }
    assertEquals(Set.of(changed, added), incremental.keySet());
    assertEquals("analysis/v2/" + changed + ".json", incremental.get(changed).getS3Key());

    // attributes-daily on the connected chain: day 1 from the full, day 2 from yesterday's plus the incremental.
    assertEquals(0, Main.run(hdfs.conf(), "attributes-daily", "--date", "2016-07-01"));
    assertEquals(0, Main.run(hdfs.conf(), "attributes-daily", "--date", "2016-07-02"));
    assertEquals("every good document in S3 as of day 2 has its attributes", good.size(),
        hdfs.readAvro(new Path("/nightjar/tracks/attributes/2016-07-02"), io.nightjar.avro.TrackAttributes.class)
            .size());
  }

  private static void writeDump(String path, List<String> lines) throws IOException {
    try (java.io.OutputStream out = hdfs.fs().create(new Path(path), true)) {
      out.write((String.join("\n", lines) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  public void faultsAreRetriedFailuresListedExactlyAndRetryFailedCompletesTheSet() throws IOException {
    List<String> good = uploaded.stream().filter(id -> !isCorrupt(id)).collect(Collectors.toList());
    Set<String> persistent = new TreeSet<>(good.subList(0, 3));
    Map<String, Fault> transientFaults = new TreeMap<>();
    for (int i = 3; i < 30; i++) {
      transientFaults.put(good.get(i), TRANSIENT[i % TRANSIENT.length]);
    }
    try (FaultInjectingProxy proxy = new FaultInjectingProxy(s3.port(), (path, attempt) -> {
      String id = path.replaceAll(".*/(track-\\d+)\\.json.*", "$1");
      if (persistent.contains(id)) {
        return Fault.SLOW_DOWN_503;
      }
      return attempt == 1 ? transientFaults.get(id) : null;
    })) {
      String day = "2016-05-02";
      assertEquals(0, importer(proxy.endpoint(), "-D", S3ImportTool.MAX_FAILED_FRACTION_KEY + "=0.5", "--date", day,
          "--dump", DUMP, "--max-attempts", "3", "--backoff-ms", "5", "--max-backoff-ms", "20", "--in-flight", "8"));
      for (Fault fault : TRANSIENT) {
        assertTrue(fault + " was injected", proxy.injected(fault) >= 6);
      }
      Outcomes outcomes = new Outcomes(day, 1);
      assertEquals("failed = exactly the ids that never answered", persistent, outcomes.failed);
      for (ImportFailure failure : outcomes.failures) {
        assertEquals(Integer.valueOf(503), failure.getHttpStatus());
        assertEquals(3, (int) failure.getAttempts());
        assertTrue(failure.getError(), failure.getError().startsWith("SlowDown"));
      }
      assertTrue("transient faults were retried into imports", outcomes.imported.containsAll(transientFaults.keySet()));
      assertEquals("a body cut short is retried, never parsed: only the corrupt objects are quarantined",
          uploaded.stream().filter(S3ImportIT::isCorrupt).collect(Collectors.toSet()), outcomes.quarantined);
      for (TrackAnalysis record : outcomes.records.values()) {
        assertTrue(record.getAnalysis() != null);
      }
      Set<String> all = new TreeSet<>(outcomes.imported);
      all.addAll(outcomes.missing);
      all.addAll(outcomes.quarantined);
      all.addAll(outcomes.failed);
      assertEquals(listed, all);

      // The same faults with the default 0.1% threshold: nothing published but the lists to retry from.
      assertEquals(1, importer(proxy.endpoint(), "--date", "2016-05-03", "--dump", DUMP, "--max-attempts", "2",
          "--backoff-ms", "5"));
      assertFalse(hdfs.fs().exists(new Path("/nightjar/tracks/analysis-import/chunk-0-of-1/2016-05-03")));
      assertTrue(hdfs.fs().exists(new Path("/nightjar/tracks/analysis-import-failed/chunk-0-of-1/2016-05-03/"
          + Dataset.SUCCESS_FLAG)));
      // Its retry would fetch the failed ids alone and lose what the refused run downloaded: refused, naming the
      // plain rerun (before, it exited 0 and published fewer tracks than an undisturbed run).
      Printed retryOfRefused = Printed.by(() -> importer(proxy.endpoint(),
          "--date", "2016-05-03", "--retry-failed"));
      assertEquals(retryOfRefused.toString(), 1, retryOfRefused.status);
      assertTrue(retryOfRefused.err, retryOfRefused.err.contains("rerun chunk 0 without --retry-failed"));
      assertFalse(hdfs.fs().exists(new Path("/nightjar/tracks/analysis-import/chunk-0-of-1/2016-05-03")));
      ChunkAccounting first = ChunkAccounting.read(hdfs.fs(),
          new Path("/nightjar/tracks/analysis-import/chunk-0-of-1/" + day));
      assertEquals("every dump line is counted in", Files.readAllLines(new File(TESTDATA, "metadata-dump.tsv").toPath())
          .size(), first.dumpLines);

      proxy.heal();
      int getsBefore = proxy.gets();
      assertEquals(0, importer(proxy.endpoint(), "--date", day, "--retry-failed", "--backoff-ms", "5"));
      assertEquals("only the failed ids were downloaded again", persistent.size(), proxy.gets() - getsBefore);
      Outcomes retried = new Outcomes(day, 1);
      assertTrue(retried.failed.isEmpty());
      assertEquals("the earlier run's missing and quarantined ids are kept", outcomes.missing, retried.missing);
      assertEquals(outcomes.quarantined, retried.quarantined);
      Set<String> expected = new TreeSet<>(outcomes.imported);
      expected.addAll(persistent);
      assertEquals(expected, retried.imported);
      assertEquals("the retry carries the chunk's dump lines over", first.dumpLines, ChunkAccounting.read(hdfs.fs(),
          new Path("/nightjar/tracks/analysis-import/chunk-0-of-1/" + day)).dumpLines);

      // The plain rerun of the refused day recovers every id.
      assertEquals(0, importer(proxy.endpoint(), "--date", "2016-05-03", "--dump", DUMP, "--backoff-ms", "5"));
      Outcomes rerun = new Outcomes("2016-05-03", 1);
      assertTrue(rerun.failed.isEmpty());
      Set<String> recovered = new TreeSet<>(rerun.imported);
      recovered.addAll(rerun.missing);
      recovered.addAll(rerun.quarantined);
      assertEquals(listed, recovered);
    }
  }

  /** Wrong keys: the one-line reason names S3's answer and what to check (before: only "64 of 64 ids ... failed"). */
  @Test
  public void wrongCredentialsAreNamedInTheReason() {
    Printed printed = Printed.by(() -> importer(s3.endpoint(),
        "-D", S3Access.SECRET_KEY + "=not-the-loopback-key", "--date", "2016-05-07", "--dump", DUMP,
        "--max-attempts", "2", "--backoff-ms", "5"));
    assertEquals(printed.toString(), 1, printed.status);
    String[] lines = printed.err.strip().split("\n");
    String reason = lines[lines.length - 1];
    assertTrue(reason, reason.startsWith("s3-import failed: "));
    assertTrue(reason, reason.contains(" x HTTP 403 SignatureDoesNotMatch (S3 refused the request: check the keys"));
    assertFalse("no key in the reason", reason.contains("not-the-loopback-key"));
  }

  private static final Fault[] TRANSIENT = {Fault.SLOW_DOWN_503, Fault.ERROR_500, Fault.RESET, Fault.TRUNCATE};

  /**
   * A server that trickles a body (1 KB every 0.5 s, never silent long enough for the socket timeout): each attempt
   * ends at the attempt timeout and the id is listed as failed with the reason. Before, the body was read to its end
   * however long it took (4 ids took 82 s with a 3 s timeout).
   */
  @Test
  public void aSlowBodyIsBoundedByTheAttemptTimeout() throws Exception {
    String slow = uploaded.stream().filter(id -> !isCorrupt(id)).findFirst().get();
    String dump = "/nightjar/dumps/slow-body.tsv";
    writeDump(dump, List.of(slow + "\tanalysis/" + slow + ".json"));
    try (FaultInjectingProxy proxy = new FaultInjectingProxy(s3.port(),
        (path, attempt) -> path.contains(slow) ? Fault.SLOW_BODY : null)) {
      assertEquals(0, importer(proxy.endpoint(), "-D", S3Access.ATTEMPT_TIMEOUT_MS + "=1000",
          "-D", S3ImportTool.MAX_FAILED_FRACTION_KEY + "=1", "--date", "2016-05-06", "--dump", dump,
          "--max-attempts", "2", "--backoff-ms", "5"));
      Outcomes outcomes = new Outcomes("2016-05-06", 1);
      assertEquals(Set.of(slow), outcomes.failed);
      ImportFailure failure = outcomes.failures.get(0);
      assertTrue(failure.getError(), failure.getError().startsWith("SlowBodyException: "));
      assertEquals(2, (int) failure.getAttempts());
      assertEquals(2, proxy.injected(Fault.SLOW_BODY));
    }
  }

  @Test
  public void anOversizedDocumentIsQuarantinedWithoutBeingReadWhole() throws Exception {
    File folder = Files.createTempDirectory("oversized").toFile();
    File documents = new File(folder, "analysis");
    documents.mkdirs();
    java.util.Random random = new java.util.Random(5);
    byte[] big = SyntheticAnalysis.toJson(null,
        SyntheticAnalysis.generate(random, 1000), random, false);
    assertTrue(big.length > 400_000);
    Files.write(new File(documents, "track-big.json").toPath(), big);
    Files.write(new File(documents, "track-small.json").toPath(), SyntheticAnalysis.toJson(
        "track-small", SyntheticAnalysis.generate(random, 50), random, false));
    try (S3Client client = S3Access.client(conf(s3.endpoint()), 4)) {
      DocumentUploader.upload(client, "big", folder);
    }
    Path dump = new Path("/dumps/oversized.tsv");
    try (java.io.OutputStream out = hdfs.fs().create(dump)) {
      out.write("track-big\tanalysis/track-big.json\ntrack-small\tanalysis/track-small.json\n".getBytes());
    }
    String day = "2016-05-05";
    assertEquals(0, Main.run(conf(s3.endpoint()), "s3-import", "-D", "nightjar.quarantine.max-fraction=0.6",
        "--date", day, "--dump", dump.toString(), "--bucket", "big", "--max-document-bytes", "100000"));
    List<QuarantineRecord> quarantined = hdfs.readAvro(new Path("/nightjar/tracks/analysis-import/chunk-0-of-1/"
        + "_quarantine/" + day), QuarantineRecord.class);
    assertEquals(1, quarantined.size());
    QuarantineRecord refused = quarantined.get(0);
    assertEquals(AnalysisDocuments.DOCUMENT_TOO_LARGE, refused.getReason());
    assertTrue(refused.getDetail(), refused.getDetail().startsWith("track-big (analysis/track-big.json): "
        + big.length + " bytes (Content-Length), over the limit of 100000 bytes"));
    assertTrue("only a prefix is kept", refused.getRaw().length() <= 65536);
    assertTrue(new String(big, java.nio.charset.StandardCharsets.UTF_8).startsWith(refused.getRaw()));
    List<TrackAnalysis> imported = hdfs.readAvro(new Path("/nightjar/tracks/analysis-import/chunk-0-of-1/" + day),
        TrackAnalysis.class);
    assertEquals(1, imported.size());
    assertEquals("track-small", imported.get(0).getTrackId());
    assertEquals(50, imported.get(0).getAnalysis().getSegments().size());
  }

  private static boolean isCorrupt(String id) {
    try {
      AnalysisDocuments.parse(id, Files.readAllBytes(new File(TESTDATA, "documents/analysis/" + id + ".json")
          .toPath()));
      return false;
    } catch (AnalysisDocuments.InvalidDocumentException | IOException e) {
      return true;
    }
  }

  /** What one day of the import published, over its chunks. */
  private static final class Outcomes {
    final Map<String, TrackAnalysis> records = new TreeMap<>();
    final Set<String> imported = new TreeSet<>();
    final Set<String> missing = new TreeSet<>();
    final Set<String> failed = new TreeSet<>();
    final List<ImportFailure> failures = new java.util.ArrayList<>();
    final Set<String> quarantined = new TreeSet<>();
    int badDumpLines;
    int dataFiles;

    Outcomes(String day, int chunks) throws IOException {
      this(day, chunks, -1);
    }

    /** One chunk's outcomes, or all chunks' with {@code only} = -1. */
    Outcomes(String day, int chunks, int only) throws IOException {
      for (int chunk = 0; chunk < chunks; chunk++) {
        if (only >= 0 && chunk != only) {
          continue;
        }
        String name = "chunk-" + chunk + "-of-" + chunks;
        Path data = new Path("/nightjar/tracks/analysis-import/" + name + "/" + day);
        for (TrackAnalysis record : hdfs.readAvro(data, TrackAnalysis.class)) {
          assertEquals("imported once: " + record.getTrackId(), null, records.put(record.getTrackId(), record));
          imported.add(record.getTrackId());
        }
        for (FileStatus file : hdfs.fs().listStatus(data)) {
          dataFiles += file.getPath().getName().endsWith(".avro") ? 1 : 0;
        }
        for (ImportFailure m : hdfs.readAvro(new Path("/nightjar/tracks/analysis-import-missing/" + name + "/" + day),
            ImportFailure.class)) {
          assertTrue(missing.add(m.getTrackId()));
        }
        for (ImportFailure f : hdfs.readAvro(new Path("/nightjar/tracks/analysis-import-failed/" + name + "/" + day),
            ImportFailure.class)) {
          assertTrue(failed.add(f.getTrackId()));
          failures.add(f);
        }
        for (QuarantineRecord q : hdfs.readAvro(new Path("/nightjar/tracks/analysis-import/" + name
            + "/_quarantine/" + day), QuarantineRecord.class)) {
          if (q.getReason().equals(S3Import.BAD_DUMP_LINE)) {
            badDumpLines++;
          } else {
            assertTrue(quarantined.add(q.getDetail().split(" ")[0]));
          }
        }
      }
    }
  }

  /** Runs s3-import on bucket "analysis"; the sample is deliberately dirty (7 of 288 documents corrupt, 2 bad dump lines). */
  private static int importer(String endpoint, String... args) {
    String[] full = new String[args.length + 5];
    full[0] = "s3-import";
    full[1] = "-D";
    full[2] = "nightjar.quarantine.max-fraction=0.1";
    System.arraycopy(args, 0, full, 3, args.length);
    full[args.length + 3] = "--bucket";
    full[args.length + 4] = "analysis";
    return Main.run(conf(endpoint), full);
  }

  /** The cluster's configuration with the loopback server's endpoint and local test keys (never real credentials). */
  private static Configuration conf(String endpoint) {
    Configuration conf = hdfs == null ? new Configuration() : hdfs.conf();
    conf.set(S3Access.ENDPOINT, endpoint);
    conf.setBoolean(S3Access.PATH_STYLE, true);
    conf.set(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY);
    conf.set(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY);
    return conf;
  }
}
