package io.nightjar.demo;

import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.s3.S3Access;
import io.nightjar.jobs.Main;
import io.nightjar.testkit.tracks.DocumentUploader;
import io.nightjar.testkit.tracks.SyntheticAnalysis;
import io.nightjar.workflows.ChainDiagram;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The daily chain run directly: the bulk import that becomes the first full analysis snapshot, then per day the
 * upstream deliveries the coordinators wait for (the datasets they read that no nightjar job publishes: readings, ad
 * impressions and metadata, the metadata dump with its new documents uploaded to S3), each coordinator's workflow
 * steps with the tools and the workflow's parameter defaults, and what each published (records, bytes, quarantined,
 * seconds) for the summary table.
 */
public final class DailyChain {

  /** The documents' bucket on the S3 server the chain's configuration names. */
  public static final String BUCKET = "analysis";
  /** The metadata dump, one folder per day with {@value #DUMP_FILE} and {@code _SUCCESS}. */
  public static final String DUMP = "tracks/metadata-dump";
  static final String DUMP_FILE = "metadata-dump.tsv";
  static final int CHUNKS = 2;
  static final int NEW_TRACKS = 20;
  static final int MOVED_TRACKS = 3;
  /** Segments per generated document: whole documents, shortened (a real track has ~500) to keep the demo quick. */
  static final int SEGMENTS = 40;
  /** The testdata sample is deliberately dirty (3 % of its ids): the import's quarantine threshold is raised. */
  static final String SAMPLE_QUARANTINE_FRACTION = "0.1";

  private final FileSystem fs;
  private final Configuration conf;
  private final String root;
  private final File testdata;
  private final Map<String, ChainDiagram.Job> jobs;
  private final Map<String, String[]> lastRow = new LinkedHashMap<>();
  private ToIntFunction<String[]> runner;
  private ToIntFunction<String[]> testKit;

  /**
   * {@code conf} carries the file system, the MapReduce framework and {@code nightjar.root} the tools use, and the S3
   * server ({@code nightjar.s3.*}) whose bucket {@value #BUCKET} holds the analysis documents.
   */
  public DailyChain(FileSystem fs, Configuration conf, File testdata, Map<String, ChainDiagram.Job> jobs) {
    this.fs = fs;
    this.conf = conf;
    this.root = new Path(conf.get(Dataset.ROOT_KEY)).toUri().getPath();
    this.testdata = testdata;
    this.jobs = jobs;
    this.runner = args -> Main.run(new Configuration(conf), args);
    this.testKit = args -> io.nightjar.testkit.Main.run(new Configuration(conf), args);
  }

  /**
   * Runs the tools' command lines with {@code runner} instead of {@link Main#run} on the module classes: a
   * {@link ShippedJar} (the demo and its integration test run the shipped job jar), or a test's recorder.
   */
  public DailyChain runningTools(ToIntFunction<String[]> runner) {
    this.runner = runner;
    return this;
  }

  /** The same, and the generators' command lines with {@code testKit} (a {@link ShippedJar#testKit()}). */
  public DailyChain runningTools(ToIntFunction<String[]> runner, ToIntFunction<String[]> testKit) {
    this.testKit = testKit;
    return runningTools(runner);
  }

  /**
   * Writes {@code day}'s upstream deliveries, each complete with {@code _SUCCESS}, as an upstream job would; the
   * tracks' dump grows from the day before's (the bulk import delivers the first).
   */
  public void seedDeliveries(LocalDate day) throws IOException {
    String seed = Long.toString(day.toEpochDay());
    Path readings = path("sensors/readings", day);
    File sample = new File(testdata, "sensors/readings/" + day);
    if (sample.isDirectory()) {
      fs.copyFromLocalFile(false, true, new Path(sample.getAbsolutePath()), readings);
    } else {
      testKit("generate-sensor-readings", "--date", day.toString(), "--output", readings.toString(), "--format", "csv",
          "--sensors", "24", "--readings", "1200", "--bad-fraction", "0.005", "--duplicate-fraction", "0.01", "--seed", seed);
    }
    testKit("generate-ad-impressions", "--date", day.toString(), "--impressions", "20000", "--ads", "200",
        "--bad-impressions", "5", "--seed", seed,
        "--impressions-output", path("ads/impressions", day).toString(),
        "--metadata-output", path("ads/ad-metadata", day).toString());
    Path dump = deliverDocuments(day);
    List<String> seeded = new ArrayList<>();
    for (Path delivery : new Path[] {readings, path("ads/impressions", day), path("ads/ad-metadata", day), dump}) {
      Path flag = new Path(delivery, Dataset.SUCCESS_FLAG);
      if (!fs.exists(flag)) { // the impressions generator flags its own deliveries
        fs.create(flag, false).close();
      }
      seeded.add(relative(delivery));
    }
    System.out.println("upstream deliveries: " + String.join(", ", seeded));
  }

  /** Runs one coordinator's workflow for the day, as its workflow.xml does; returns the exit status. */
  public int runJob(String job, LocalDate day, Map<String, String> parameters) throws IOException {
    long start = System.nanoTime();
    int status;
    switch (job) {
      case "sensor-averages":
        status = tool("sensor-averages", "--date", day.toString(), "--granularity", parameters.get("granularity"));
        break;
      case "impressions-join":
        status = tool("impressions-join", "--date", day.toString(), "--strategy", parameters.get("strategy"),
            "--reducers", parameters.get("reducers"));
        break;
      case "tracks-daily":
        status = tracksDaily(day, parameters);
        break;
      case "analysis-import":
        status = analysisImport(day, parameters);
        break;
      default:
        throw new IllegalStateException("the demo does not know how to run coordinator '" + job + "'");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (status == 0) {
      for (String dataset : jobs.get(job).publishes) {
        record(dataset, day, job, seconds);
      }
    }
    return status;
  }

  /** Adds a published day of {@code dataset} to the summary and prints its line. */
  public void record(String dataset, LocalDate day, String job, double seconds) throws IOException {
    String[] row = describe(dataset, day, seconds);
    lastRow.put(dataset, row);
    System.out.printf("  %-56s %9s records %11s bytes %5s quarantined  (%s, %.1f s)%n", row[0], row[1], row[2],
        row[3], job, seconds);
  }

  /**
   * The bulk import, as the analysis-bulk-import workflow runs it: uploads {@code testdata/tracks/documents} to the
   * bucket, delivers the sample dump as {@code day}'s, imports it in {@value #CHUNKS} chunks and promotes them into
   * {@code tracks/analysis/full/<day>}, the first full snapshot. The sample is deliberately dirty (12 ids without a
   * document, 7 damaged documents, 2 malformed dump lines), hence the raised quarantine threshold.
   */
  public int bulkImport(LocalDate day) throws IOException {
    return bulkImport(day, CHUNKS);
  }

  /** The bulk import of {@link #bulkImport(LocalDate)} in {@code chunks} chunks. */
  public int bulkImport(LocalDate day, int chunks) throws IOException {
    long start = System.nanoTime();
    deliverBulkDump(day);
    for (int chunk = 0; chunk < chunks; chunk++) {
      int status = importChunk(day, chunk, chunks);
      if (status != 0) {
        return status;
      }
      for (String dataset : new String[] {"analysis-import", "analysis-import-missing", "analysis-import-failed"}) {
        record("tracks/" + dataset + "/chunk-" + chunk + "-of-" + chunks, day, "s3-import",
            (System.nanoTime() - start) / 1e9);
      }
    }
    int status = tool("promote-import", "--date", day.toString(), "--chunks", Integer.toString(chunks));
    if (status == 0) {
      record("tracks/analysis/full", day, "promote-import", (System.nanoTime() - start) / 1e9);
    }
    return status;
  }

  /** One chunk of the bulk import of {@code day}'s dump (delivered by {@link #deliverBulkDump}). */
  public int importChunk(LocalDate day, int chunk) {
    return importChunk(day, chunk, CHUNKS);
  }

  private int importChunk(LocalDate day, int chunk, int chunks) {
    return tool("s3-import", "-D", "nightjar.quarantine.max-fraction=" + SAMPLE_QUARANTINE_FRACTION,
        "--date", day.toString(), "--dump", path(DUMP, day).toString(), "--bucket", BUCKET, "--chunks",
        Integer.toString(chunks), "--chunk", Integer.toString(chunk), "--in-flight", "16");
  }

  /**
   * What the bulk import reads: {@code testdata/tracks/documents} uploaded to the bucket and the sample dump
   * delivered as {@code day}'s, complete with {@code _SUCCESS}. Returns the dump's folder.
   */
  public Path deliverBulkDump(LocalDate day) throws IOException {
    int objects;
    try (S3Client client = S3Access.client(conf, 16)) {
      objects = DocumentUploader.upload(client, BUCKET, new File(testdata, "tracks/documents"));
    }
    Path dump = path(DUMP, day);
    fs.copyFromLocalFile(new Path(new File(testdata, "tracks/metadata-dump.tsv").getAbsolutePath()),
        new Path(dump, DUMP_FILE));
    fs.create(new Path(dump, Dataset.SUCCESS_FLAG), true).close();
    System.out.println("S3 bucket '" + BUCKET + "': " + objects + " analysis documents; " + relative(dump)
        + " lists 300 ids (12 without an object, 7 objects damaged: cut off, not an object, empty, another track's id,"
        + " 11 pitches, NaN, a negative duration)");
    return dump;
  }

  /**
   * A later day's new documents: {@value #NEW_TRACKS} new tracks and {@value #MOVED_TRACKS} re-analysed ones (a new
   * document under a new key) uploaded to the bucket, and the day's dump: the day before's plus those changes,
   * complete with {@code _SUCCESS}. Returns the dump's folder.
   */
  public Path deliverDocuments(LocalDate day) throws IOException {
    Path dump = path(DUMP, day);
    if (fs.exists(new Path(dump, Dataset.SUCCESS_FLAG))) {
      return dump; // delivered already (the bulk import's day, or a rerun)
    }
    Path before = new Path(path(DUMP, day.minusDays(1)), DUMP_FILE);
    if (!fs.exists(before)) {
      throw new IllegalStateException("no dump of " + day.minusDays(1) + " to grow: run the bulk import first");
    }
    List<String> lines = new ArrayList<>();
    try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(fs.open(before),
        StandardCharsets.UTF_8))) {
      reader.lines().forEach(lines::add);
    }
    Random random = new Random(day.toEpochDay());
    String stamp = day.format(DateTimeFormatter.BASIC_ISO_DATE);
    try (S3Client client = S3Access.client(conf, 16)) {
      for (int i = 0; i < MOVED_TRACKS; i++) {
        int line = (int) ((day.toEpochDay() * 31 + i * 97) % 280);
        String id = lines.get(line).split("\t")[0];
        String key = "analysis/" + stamp + "/" + id + ".json";
        put(client, key, SyntheticAnalysis.toJson(null, SyntheticAnalysis.generate(random, SEGMENTS), random, false));
        lines.set(line, id + "\t" + key);
      }
      for (int i = 0; i < NEW_TRACKS; i++) {
        String id = "track-" + stamp + "-" + i;
        String key = "analysis/" + id + ".json";
        put(client, key, SyntheticAnalysis.toJson(i % 3 == 0 ? id : null, SyntheticAnalysis.generate(random, SEGMENTS),
            random, false));
        lines.add(id + "\t" + key);
      }
    }
    try (java.io.OutputStream out = fs.create(new Path(dump, DUMP_FILE), true)) {
      out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    fs.create(new Path(dump, Dataset.SUCCESS_FLAG), true).close();
    System.out.printf("S3 bucket '%s': %d new tracks and %d re-analysed under new keys; %s lists %d lines%n", BUCKET,
        NEW_TRACKS, MOVED_TRACKS, relative(dump), lines.size());
    return dump;
  }

  /** One PUT, retried: the client's SDK retries are off (nightjar's jobs retry with their own policy). */
  private static void put(S3Client client, String key, byte[] document) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(document));
        return;
      } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
        if (attempt == 3) {
          throw e;
        }
        System.out.println("  PUT " + key + " failed (" + e.getMessage() + "); again");
      }
    }
  }

  /** analysis-import's workflow: nothing on a day whose analysis is already a full, else the daily s3-import. */
  private int analysisImport(LocalDate day, Map<String, String> parameters) throws IOException {
    if (fs.exists(new Path(path("tracks/analysis/full", day), Dataset.SUCCESS_FLAG))) {
      System.out.println("  analysis-import " + day + ": the day's analysis is the full snapshot already (the bulk "
          + "import's); nothing to import");
      return 0;
    }
    return tool("s3-import", "-D", "nightjar.quarantine.max-fraction=" + SAMPLE_QUARANTINE_FRACTION, "--daily",
        "--tombstones=" + parameters.get("tombstones"), "--date", day.toString(), "--dump", path(DUMP, day).toString(),
        "--bucket", BUCKET, "--prefix=" + parameters.getOrDefault("prefix", ""), "--in-flight", parameters.get("inFlight"));
  }

  /** tracks-daily's workflow: compaction on the compaction weekday, then attributes, then retention. */
  private int tracksDaily(LocalDate day, Map<String, String> parameters) throws IOException {
    String weekday = day.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    String keepDays = parameters.get("keepDays");
    if (weekday.equals(parameters.get("compactionWeekday"))) {
      int status = tool("analysis-compact", "--date", day.toString(), "--keep-days", keepDays);
      if (status != 0) {
        return status;
      }
    }
    int status = tool("attributes-daily", "--date", day.toString());
    if (status != 0) {
      return status;
    }
    status = tool("analysis-retire", "--date", day.toString(), "--keep-days", keepDays);
    List<String> left = new ArrayList<>();
    for (String kind : new String[] {"full", "incremental"}) {
      Path dir = new Path(root + "/tracks/analysis/" + kind);
      if (fs.exists(dir)) {
        for (org.apache.hadoop.fs.FileStatus folder : fs.listStatus(dir, p -> !p.getName().startsWith("_"))) {
          left.add(kind + "/" + folder.getPath().getName());
        }
      }
    }
    System.out.println("  analysis kept after retention: " + left);
    return status;
  }

  public void printSummary(LocalDate lastDay) {
    System.out.printf("%nPublished datasets (%s is the last day):%n", lastDay);
    System.out.printf("  %-56s %10s %12s %12s %9s%n", "path", "records", "bytes", "quarantined", "seconds");
    lastRow.values().forEach(row -> System.out.printf("  %-56s %10s %12s %12s %9s%n", row[0], row[1], row[2], row[3], row[4]));
  }

  public void printSkewReport(File copy, LocalDate day) {
    File svg = new File(copy, "ads/enriched-impressions/" + day + "/_skew-report.svg");
    if (svg.exists()) {
      System.out.println("The impressions join's skew report (rows per reduce task): " + svg.getAbsolutePath());
    }
  }

  private String[] describe(String dataset, LocalDate day, double seconds) throws IOException {
    Path dir = path(dataset, day);
    Path quarantine = new Path(new Path(root + "/" + dataset), Dataset.QUARANTINE_DIR + "/" + day);
    long records = fs.exists(dir) ? AvroFiles.count(fs, dir) : 0;
    long bytes = fs.exists(dir) ? fs.getContentSummary(dir).getLength() : 0;
    long quarantined = 0;
    if (fs.exists(quarantine)) {
      // A quarantine record can stand for several identical input records (its "records" field).
      for (org.apache.avro.generic.GenericRecord record : AvroFiles.readGeneric(fs, quarantine)) {
        quarantined += ((Number) record.get("records")).longValue();
      }
    }
    return new String[] {relative(dir), String.format("%,d", records), String.format("%,d", bytes),
        String.format("%,d", quarantined), String.format("%.1f", seconds)};
  }

  /**
   * Runs {@code status} over the chain's root for the {@code days} days ending {@code last}, drawing its picture into
   * {@code svg} (local); returns its exit status (1 when a day is flagged, late or failed).
   */
  public int status(LocalDate last, int days, File svg) {
    return tool("status", "--date", last.toString(), "--days", Integer.toString(days), "--svg", svg.getPath());
  }

  /** Runs {@code show} on one published day, as a user would to look at it. */
  public int show(String dataset, LocalDate day) {
    return tool("show", dataset, "--date", day.toString(), "--records", "3", "--quarantined", "2");
  }

  private int tool(String... args) {
    System.out.println("$ hadoop jar nightjar-jobs.jar " + String.join(" ", args));
    return runner.applyAsInt(args);
  }

  private int testKit(String... args) {
    System.out.println("$ hadoop jar nightjar-testkit.jar " + String.join(" ", args));
    return testKit.applyAsInt(args);
  }

  /** The day folder of {@code dataset} ("project/name") under this chain's root. */
  public Path path(String dataset, LocalDate day) {
    return new Path(root + "/" + dataset + "/" + day);
  }

  private String relative(Path dir) {
    return dir.toUri().getPath().substring(root.length() + 1);
  }
}
