package io.nightjar.jobs.tracks.s3import;

import io.nightjar.avro.ImportFailure;
import io.nightjar.avro.ImportOutcome;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackLocation;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.avro.AvroInputCheck;
import io.nightjar.common.crunch.NightjarTypes;
import io.nightjar.common.dataset.DailyPublication;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.common.dataset.SnapshotDataset;
import io.nightjar.common.s3.S3Access;
import io.nightjar.common.tool.DailyJobTool;
import io.nightjar.common.tool.DayOption;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.ProjectOption;
import io.nightjar.common.tool.UsageException;
import io.nightjar.jobs.Catalog;
import io.nightjar.jobs.tracks.snapshots.PackedAvro;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.Target;
import org.apache.crunch.io.From;
import org.apache.crunch.io.To;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code s3-import}: per-track analysis documents in S3 to packed Avro ({@code TrackAnalysis}) on HDFS, one chunk of
 * the metadata dump at a time. For chunk k of n and day D it publishes
 * {@code <root>/tracks/analysis-import/chunk-k-of-n/D/} (a few files near {@code --target-file-mb}), with the ids
 * missing in S3 and the ids that failed after retries in {@code analysis-import-missing/...} and
 * {@code analysis-import-failed/...}, and unparsable documents in the quarantine.
 *
 * <p>Two MapReduce steps: a small plan job (ids of the chunk minus those an earlier run of the same chunk and day
 * imported, which are carried over), then a map-only download job whose task count follows from the number of ids
 * and the target file size, each task keeping {@code --in-flight} GETs in flight.
 */
@Command(name = "s3-import", sortOptions = false,
    description = "Import per-track analysis documents from S3 into packed Avro on HDFS, one chunk at a time.")
public final class S3ImportTool extends DailyJobTool<S3ImportTool.Chunk> {

  private static final Logger LOG = LoggerFactory.getLogger(S3ImportTool.class);
  public static final String MAX_FAILED_FRACTION_KEY = "nightjar.s3-import.max-failed-fraction";

  @Mixin
  private DayOption date;

  @Mixin
  private final ProjectOption project = new ProjectOption(Catalog.TRACKS);

  @Option(names = "--dump", paramLabel = "PATH",
      description = "Metadata dump: Avro TrackLocation files, or TSV lines trackId<TAB>s3Key (required unless --retry-failed).")
  private String dump;

  @Option(names = "--bucket", required = true, description = "S3 bucket of the documents.")
  private String bucket;

  @Option(names = "--prefix", defaultValue = "", description = "Key prefix put before each dump s3Key (default: none).")
  private String prefix;

  static final String SIZING_DOCUMENT_BYTES_KEY = "nightjar.sizing.document-bytes";
  static final String SIZING_MAP_SLOTS_KEY = "nightjar.sizing.map-slots";
  static final String SIZING_LATENCY_MS_KEY = "nightjar.sizing.latency-ms";
  static final String SIZING_CPU_MS_PER_MB_KEY = "nightjar.sizing.cpu-ms-per-mb";
  static final String SIZING_SECONDS_PER_CHUNK_KEY = "nightjar.sizing.seconds-per-chunk";

  @Option(names = "--chunks", defaultValue = "1", description = "Split the dump into this many chunks by track id (default: ${DEFAULT-VALUE}).")
  private int chunks;

  @Option(names = "--chunk", split = ",", paramLabel = "K", description = "Chunks to run, 0-based (default: all, one after another).")
  private List<Integer> chunkList;

  @Option(names = "--daily",
      description = "The day's new tracks: the whole dump against the analysis view of the day before; downloads only "
          + "new ids and ids whose S3 key changed, and publishes <root>/<project>/analysis/incremental/<date>.")
  private boolean daily;

  @Option(names = "--tombstones", arity = "0..1", paramLabel = "true|false",
      description = "With --daily: ids of the view no longer in the (complete, _SUCCESS-flagged) dump become "
          + "tombstones. Off by default: a truncated dump would otherwise delete tracks.")
  private boolean tombstones;

  @Option(names = "--retry-failed", description = "Download only the ids the earlier run of each chunk and day failed; keep what it imported.")
  private boolean retryFailed;

  @Option(names = "--in-flight", defaultValue = "32", description = "GETs in flight per map task (default: ${DEFAULT-VALUE}).")
  private int inFlight;

  @Option(names = "--target-file-mb", defaultValue = "256", description = "Target size of each output file (default: ${DEFAULT-VALUE}).")
  private long targetFileMb;

  @Option(names = "--expected-document-bytes", defaultValue = "100000",
      description = "Average stored size of one imported record (a typed document of ~500 segments, compressed: "
          + "~100 KB), to size the output files (default: ${DEFAULT-VALUE}).")
  private long expectedDocumentBytes;

  @Option(names = "--max-document-bytes", defaultValue = "16777216",
      description = "Larger documents are quarantined (DOCUMENT_TOO_LARGE) without being read whole "
          + "(default: ${DEFAULT-VALUE}, 16 MB).")
  private long maxDocumentBytes;

  @Option(names = "--max-attempts", defaultValue = "5", description = "Attempts per object (default: ${DEFAULT-VALUE}).")
  private int maxAttempts;

  @Option(names = "--backoff-ms", defaultValue = "200", description = "First retry wait; doubles each attempt (default: ${DEFAULT-VALUE}).")
  private long backoffMs;

  @Option(names = "--max-backoff-ms", defaultValue = "20000", description = "Longest retry wait (default: ${DEFAULT-VALUE}).")
  private long maxBackoffMs;

  /**
   * One chunk of the run, resolved just before it runs (its checks come after the chunks before it published): the
   * day it publishes, with the ids missing in S3 and those failed as side datasets, the earlier import it carries
   * over, and for {@code --daily} the view it compares the dump with. The run's plan is its first chunk, unresolved,
   * describing every chunk.
   */
  record Chunk(int number, LocalDate date, Dataset output, List<Dataset> sides, Path earlier,
      ChunkAccounting earlierAccounting, SnapshotDataset.View view, LinkedHashMap<String, Object> describe)
      implements DailyPlan { }

  @Override
  protected Chunk plan() throws IOException {
    LocalDate date = this.date.get();
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("ids", retryFailed ? "failed ids of the earlier run of each chunk" : dumpPath());
    plan.put("s3", "s3://" + bucket + "/" + prefix + "<s3Key>; " + S3Access.describe(getConf()));
    for (int chunk : chunks()) {
      plan.put("chunk " + chunk + " output", imported(chunk).dayPath(date));
      plan.put("chunk " + chunk + " ids missing in S3", missing(chunk).dayPath(date));
      plan.put("chunk " + chunk + " ids failed after retries", failed(chunk).dayPath(date));
    }
    if (dryRun && dump != null && !retryFailed) {
      List<String> projection = projection().lines();
      if (daily) {
        projection.set(0, projection.get(0) + " (an upper bound: a daily import downloads only new and changed ids)");
      }
      for (int line = 0; line < projection.size(); line++) {
        plan.put("projection " + (line + 1), projection.get(line));
      }
    }
    int first = chunks().isEmpty() ? 0 : chunks().get(0);
    return new Chunk(first, date, imported(first), List.of(missing(first), failed(first)), null, null, null, plan);
  }

  /**
   * The import of this run's chunks projected from the dump's ids and the {@code nightjar.sizing.*} settings: what
   * {@code --dry-run} prints before anyone pays for it. It reads the dump once: an Avro dump's records are counted from
   * its block headers, a text dump's lines (through its codec when compressed). For {@code --daily} the figure is an
   * upper bound: a daily import downloads only the new and changed ids.
   */
  private ImportSizing projection() throws IOException {
    FileSystem fs = dumpPath().getFileSystem(getConf());
    FileStatus[] files = fs.globStatus(dumpPath());
    CompressionCodecFactory codecs = new CompressionCodecFactory(getConf());
    long ids = 0;
    for (FileStatus file : files == null ? new FileStatus[0] : files) {
      FileStatus[] parts = file.isDirectory() ? fs.listStatus(file.getPath(), S3ImportTool::visible)
          : new FileStatus[] {file};
      for (FileStatus part : parts) {
        if (part.getPath().getName().endsWith(".avro")) {
          ids += AvroInputCheck.countRecords(fs, part.getPath());
          continue;
        }
        CompressionCodec codec = codecs.getCodec(part.getPath());
        InputStream raw = fs.open(part.getPath());
        try (InputStream in = codec == null ? raw : codec.createInputStream(raw)) {
          byte[] buffer = new byte[1 << 16];
          for (int n; (n = in.read(buffer)) > 0; ) {
            for (int i = 0; i < n; i++) {
              ids += buffer[i] == '\n' ? 1 : 0;
            }
          }
        }
      }
    }
    long documents = ids * chunks().size() / Math.max(1, daily ? 1 : chunks);
    Configuration conf = getConf();
    if (conf.getInt(SIZING_MAP_SLOTS_KEY, 20) < 1 || targetFileMb < 1 || chunks().isEmpty()) {
      throw new UsageException(SIZING_MAP_SLOTS_KEY + " and --target-file-mb must be at least 1, and a chunk must run");
    }
    return new ImportSizing(documents, conf.getLong(SIZING_DOCUMENT_BYTES_KEY, 500_000), expectedDocumentBytes,
        chunks().size(),
        conf.getDouble(SIZING_SECONDS_PER_CHUNK_KEY, 60), conf.getInt(SIZING_MAP_SLOTS_KEY, 20), inFlight,
        conf.getDouble(SIZING_LATENCY_MS_KEY, 30), conf.getDouble(SIZING_CPU_MS_PER_MB_KEY, ImportSizing.CPU_MS_PER_MB),
        ImportSizing.TASK_MB_PER_SECOND, ImportSizing.PACKED_FRACTION, targetFileMb << 20, 1);
  }

  @Override
  protected int execute(Chunk plan) throws IOException {
    if (!retryFailed && dump == null) {
      throw new UsageException("--dump is required (or --retry-failed)");
    }
    if (tombstones && !daily) {
      throw new UsageException("--tombstones works with --daily only");
    }
    if (!retryFailed) {
      FileSystem dumpFs = dumpPath().getFileSystem(getConf());
      FileStatus[] matches = dumpFs.globStatus(dumpPath());
      if (matches == null || matches.length == 0) {
        throw new JobFailedException("no metadata dump at " + dumpFs.makeQualified(dumpPath()));
      }
    }
    S3Access.shipCredentials(getConf());
    // A failed chunk does not stop the others: each is published (or not) on its own, and the run says which failed.
    List<Integer> chunkList = chunks();
    List<String> failedChunks = new ArrayList<>();
    for (int chunk : chunkList) {
      try {
        publish(resolved(chunk, plan.describe()));
      } catch (JobFailedException e) {
        if (chunkList.size() == 1 || e instanceof UsageException) {
          throw e;
        }
        out.printf("s3-import %s chunk %d of %d: FAILED: %s%n", date.get(), chunk, chunks, e.getMessage());
        failedChunks.add(chunk + " (" + e.getMessage() + ")");
      }
    }
    if (!failedChunks.isEmpty()) {
      throw new JobFailedException(failedChunks.size() + " of " + chunkList.size() + " chunks failed: "
          + String.join("; ", failedChunks) + "; the others are published");
    }
    return 0;
  }

  @Override
  protected List<String> configurationKeys() {
    List<String> keys = new ArrayList<>(super.configurationKeys());
    keys.add(MAX_FAILED_FRACTION_KEY + " (0.001): largest fraction of a chunk's ids that may fail before its import "
        + "is refused (the missing and failed lists are published either way)");
    keys.addAll(S3Access.CONFIGURATION_KEYS);
    keys.add(SIZING_DOCUMENT_BYTES_KEY + " (500000), " + SIZING_MAP_SLOTS_KEY + " (20), " + SIZING_LATENCY_MS_KEY
        + " (30), " + SIZING_CPU_MS_PER_MB_KEY + " (" + ImportSizing.CPU_MS_PER_MB + "), " + SIZING_SECONDS_PER_CHUNK_KEY
        + " (60): what --dry-run's projection assumes: mean JSON bytes a document, map slots, S3's answer time, client "
        + "CPU a document megabyte, fixed cost of a chunk's jobs (docs/sizing.md)");
    return keys;
  }

  /** Chunk {@code chunk} checked and resolved before its lease is taken: what a retry carries over, the view. */
  private Chunk resolved(int chunk, LinkedHashMap<String, Object> describe) throws IOException {
    LocalDate date = this.date.get();
    Dataset imported = imported(chunk);
    FileSystem fs = imported.path().getFileSystem(getConf());
    Path earlier = imported.isPublished(fs, date) ? imported.dayPath(date) : null;
    if (retryFailed && !failed(chunk).isPublished(fs, date)) {
      throw new JobFailedException("no failed ids of an earlier run at " + failed(chunk).dayPath(date));
    }
    if (retryFailed && earlier == null) {
      // What a refused run downloaded was never published: a retry of its failed ids alone would lose it.
      throw new JobFailedException("--retry-failed carries over the earlier run's published import, and there is "
          + "none at " + imported.dayPath(date) + " (a refused run publishes its lists, not its downloads): rerun "
          + "chunk " + chunk + " without --retry-failed");
    }
    ChunkAccounting earlierAccounting = retryFailed ? ChunkAccounting.read(fs, earlier) : null;
    SnapshotDataset.View view = daily ? dailyView(fs) : null;
    return new Chunk(chunk, date, imported, List.of(missing(chunk), failed(chunk)), earlier, earlierAccounting, view,
        describe);
  }

  /**
   * Two MapReduce steps: a plan (the chunk's ids, minus those already imported, carried over into the output as they
   * are), then, when ids are left, a map-only download of as many tasks as output files of about
   * {@code --target-file-mb}.
   */
  @Override
  protected Flow flow(Stage stage, Chunk chunk) throws IOException {
    List<PipelineResult> runs = new ArrayList<>();
    runs.add(stage.run(planning(stage, chunk), retryFailed ? List.of() : List.of(dumpPath())));
    RecordAccounting planned = RecordAccounting.of(runs.get(0));
    if (daily && tombstones && planned.quarantined() > 0) {
      throw new JobFailedException("--tombstones refused: " + planned.quarantined() + " line(s) of the dump are "
          + "damaged " + planned.quarantineReasons() + " and their ids would be tombstoned; fix the dump or run "
          + "without --tombstones");
    }
    long toDownload = toDownload(planned);
    if (toDownload > 0) {
      runs.add(stage.run(download(stage, chunk, toDownload), List.of()));
    }
    return Flow.ran(runs).reads(retryFailed ? failed(chunk.number()).dayPath(chunk.date()) : dumpPath())
        .gate(failedWithin(chunk, toDownload)).beside((dir, accounting) -> chunkAccounting(chunk, dir, accounting));
  }

  /** The chunk's {@link ChunkAccounting}, written beside its data for promote-import (none for {@code --daily}). */
  private void chunkAccounting(Chunk chunk, Path dir, RecordAccounting accounting) throws IOException {
    FileSystem fs = dir.getFileSystem(getConf());
    if (daily) {
      return;
    }
    if (!retryFailed) {
      ChunkAccounting.of(accounting).write(fs, dir);
    } else if (chunk.earlierAccounting() != null) { // a chunk imported by an earlier nightjar has none to carry over
      ChunkAccounting.retried(chunk.earlierAccounting(), accounting).write(fs, dir);
    }
  }

  /** The plan job: the chunk's ids to download into the scratch folder, what is carried over into the output. */
  private Pipeline planning(Stage stage, Chunk chunk) throws IOException {
    Pipeline planning = stage.pipeline("plan " + chunk.date() + " chunk " + chunk.number(), PackedAvro::compressed);
    FileSystem fs = chunk.output().path().getFileSystem(getConf());
    PCollection<TrackLocation> listed;
    if (retryFailed) {
      listed = S3Import.locations(planning.read(From.avroFile(failed(chunk.number()).dayPath(chunk.date()),
          S3Import.FAILURES)));
      // A retry replaces the day's lists too: keep what the earlier run found missing or quarantined.
      if (missing(chunk.number()).isPublished(fs, chunk.date())) {
        planning.write(planning.read(From.avroFile(missing(chunk.number()).dayPath(chunk.date()),
            S3Import.FAILURES)), To.avroFile(stage.side(0)));
      }
      if (chunk.output().isQuarantinePublished(fs, chunk.date())) {
        planning.write(planning.read(From.avroFile(chunk.output().quarantinePath(chunk.date()),
            NightjarTypes.quarantineRecords())), To.avroFile(stage.quarantine()));
      }
    } else if (dumpPath().getName().endsWith(".avro") || isAvroFolder(fs, dumpPath())) {
      listed = planning.read(From.avroFile(dumpPath(), S3Import.LOCATIONS));
    } else {
      Pair<PCollection<TrackLocation>, PCollection<QuarantineRecord>> parsed = S3Import.parseDump(daily
          ? planning.read(From.textFile(dumpPath()))
          : S3Import.chunkLines(planning.read(From.textFile(dumpPath())), chunk.number(), chunks));
      listed = parsed.first();
      planning.write(parsed.second(), To.avroFile(stage.quarantine()));
    }
    Pair<PCollection<TrackLocation>, PCollection<TrackAnalysis>> plan = daily && !retryFailed
        ? S3Import.dailyPlan(listed, planning.read(From.avroFile(chunk.view().paths(),
            Avros.generics(S3Import.VIEW_PROJECTION))), tombstones, fetchedAt())
        : S3Import.plan(S3Import.chunk(listed, chunk.number(), chunks), chunk.earlier() == null ? null
            : planning.read(From.avroFile(chunk.earlier(), S3Import.ANALYSIS)), retryFailed);
    planning.write(plan.second(), To.avroFile(stage.data()));
    planning.write(plan.first(), To.avroFile(new Path(stage.work(), "todo")));
    return planning;
  }

  /** The ids the plan left to download: a daily run's plan reads every unchanged id of the view too. */
  private static long toDownload(RecordAccounting planned) {
    return planned.in() - planned.out() - planned.skipped() - planned.quarantined();
  }

  /** The download job: map-only, as many tasks as output files of about {@code --target-file-mb}. */
  private Pipeline download(Stage stage, Chunk chunk, long toDownload) throws IOException {
    int tasks = ImportSizing.downloadTasks(toDownload, expectedDocumentBytes, targetFileMb << 20);
    Path todo = new Path(stage.work(), "todo");
    long todoBytes = todo.getFileSystem(getConf()).getContentSummary(todo).getLength();
    Pipeline download = stage.pipeline("download " + chunk.date() + " chunk " + chunk.number(), conf -> {
      Configuration downloadConf = PackedAvro.compressed(conf);
      downloadConf.setBoolean("crunch.disable.combine.file", true);
      downloadConf.setLong("mapreduce.input.fileinputformat.split.maxsize", Math.max(1, todoBytes / tasks));
      downloadConf.setLong("mapreduce.input.fileinputformat.split.minsize", 1);
      return downloadConf;
    });
    LOG.info("chunk {}: {} ids to download in ~{} map task(s), {} in flight each; {}", chunk.number(), toDownload,
        tasks, inFlight, S3Access.describe(download.getConfiguration()));
    PCollection<ImportOutcome> outcomes = download.read(From.avroFile(todo, S3Import.LOCATIONS))
        .parallelDo("fetch documents", new FetchDocumentsFn(bucket, prefix, inFlight, maxAttempts, backoffMs,
            maxBackoffMs, fetchedAt(), maxDocumentBytes), S3Import.OUTCOMES);
    download.write(S3Import.imported(outcomes), To.avroFile(stage.data()), Target.WriteMode.APPEND);
    download.write(S3Import.quarantined(outcomes), To.avroFile(stage.quarantine()), Target.WriteMode.APPEND);
    download.write(S3Import.failures(outcomes, FetchDocumentsFn.MISSING), To.avroFile(stage.side(0)),
        Target.WriteMode.APPEND);
    download.write(S3Import.failures(outcomes, FetchDocumentsFn.FAILED), To.avroFile(stage.side(1)));
    return download;
  }

  /**
   * Refuses the import when more of the ids this run tried to download failed than {@value #MAX_FAILED_FRACTION_KEY}
   * allows. A retry is not refused: it publishes what it carried over and got, and lists what still fails (a refused
   * retry would publish its shorter lists and drop its downloads).
   */
  private DailyPublication.Gate failedWithin(Chunk chunk, long attempted) throws IOException {
    double maxFailed = getConf().getDouble(MAX_FAILED_FRACTION_KEY, 0.001);
    Path failedList = failed(chunk.number()).dayPath(chunk.date());
    FileSystem fs = failedList.getFileSystem(getConf());
    return accounting -> {
      long failedIds = accounting.skipReasons().getOrDefault(FetchDocumentsFn.FAILED, 0L);
      if (!retryFailed && attempted > 0 && (double) failedIds / attempted > maxFailed) {
        throw new JobFailedException(String.format("%d of %d ids downloaded (%.3f%%) failed after retries, above "
                + "%s=%s; import not published; failed ids in %s%s (rerun the chunk: --retry-failed carries over "
                + "only a published import)", failedIds, attempted, 100.0 * failedIds / attempted,
            MAX_FAILED_FRACTION_KEY, maxFailed, failedList, commonestFailure(fs, failedList)));
      }
    };
  }

  /** The chunk's line (after, for {@code --daily}, what the comparison with the view found). */
  @Override
  protected String summary(Chunk chunk, Run run) throws IOException {
    String dailyLine = "";
    if (daily) {
      FileSystem fs = chunk.output().path().getFileSystem(getConf());
      dailyLine = String.format("s3-import %s daily: %d ids unchanged, %d new or changed downloaded, %d tombstones; "
              + "read the ids of the view of %s by projection from %,d bytes of %d folder(s) (HDFS bytes read by the "
              + "plan: %,d)%n", chunk.date(), run.accounting().skipReasons().getOrDefault(S3Import.UNCHANGED, 0L),
          toDownload(RecordAccounting.of(run.results().get(0))),
          run.counters(FetchDocumentsFn.S3_GROUP).getOrDefault(S3Import.TOMBSTONES, 0L), chunk.date().minusDays(1),
          viewBytes(fs, chunk.view()), chunk.view().paths().size(), hdfsBytesRead(run.results().get(0)));
    }
    return dailyLine + String.format("s3-import %s chunk %d of %d: published %s", chunk.date(), chunk.number(), chunks,
        chunk.output().dayPath(chunk.date())) + published(chunk, run);
  }

  @Override
  protected String published(Chunk chunk, Run run) {
    RecordAccounting accounting = run.accounting();
    Map<String, Long> s3 = run.counters(FetchDocumentsFn.S3_GROUP);
    return String.format(": %d tracks (%d carried over, not downloaded again); %d missing, %d failed, %d "
            + "quarantined; S3 %s", accounting.out(), s3.getOrDefault(S3Import.CARRIED_OVER, 0L),
        accounting.skipReasons().getOrDefault(FetchDocumentsFn.MISSING, 0L),
        accounting.skipReasons().getOrDefault(FetchDocumentsFn.FAILED, 0L), accounting.quarantined(), s3);
  }

  /**
   * "; commonest: N x HTTP 403 SignatureDoesNotMatch" and what to check, from the first
   * {@value #FAILURES_EXAMINED} records of the published failed list; empty when it cannot be read.
   */
  static String commonestFailure(FileSystem fs, Path failedList) {
    Map<String, Long> byCause = new HashMap<>();
    try {
      long examined = 0;
      for (FileStatus file : AvroFiles.avroFileStatuses(fs, failedList)) {
        try (InputStream in = fs.open(file.getPath());
            DataFileStream<ImportFailure> reader = new DataFileStream<>(in,
                new SpecificDatumReader<>(ImportFailure.class))) {
          while (reader.hasNext() && examined++ < FAILURES_EXAMINED) {
            ImportFailure failure = reader.next();
            String code = failure.getError() == null ? "" : failure.getError().split(":", 2)[0];
            byCause.merge((failure.getHttpStatus() == null ? "" : "HTTP " + failure.getHttpStatus() + " ") + code, 1L,
                Long::sum);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return "";
    }
    return byCause.entrySet().stream().max(Map.Entry.comparingByValue()).map(top -> "; commonest: " + top.getValue()
        + " x " + top.getKey() + (top.getKey().startsWith("HTTP 403") ? " (S3 refused the request: check the keys in "
        + "the credential provider or nightjar.s3.*, the region and the bucket's policy; a 4xx is not retried)"
        : "")).orElse("");
  }

  private static final int FAILURES_EXAMINED = 10_000;

  private List<Integer> chunks() {
    List<Integer> list = new ArrayList<>();
    if (chunkList == null) {
      for (int k = 0; k < chunks; k++) {
        list.add(k);
      }
    } else {
      for (int k : chunkList) {
        if (k < 0 || k >= chunks) {
          throw new UsageException("--chunk " + k + " is not in 0.." + (chunks - 1));
        }
        list.add(k);
      }
    }
    return list;
  }

  private boolean isAvroFolder(FileSystem fs, Path path) throws IOException {
    if (!fs.exists(path) || !fs.getFileStatus(path).isDirectory()) {
      return false;
    }
    for (FileStatus file : fs.listStatus(path)) {
      if (file.getPath().getName().endsWith(".avro")) {
        return true;
      }
    }
    return false;
  }

  private static boolean visible(Path path) {
    return !path.getName().startsWith("_") && !path.getName().startsWith(".");
  }

  private Path dumpPath() throws IOException {
    Path path = new Path(dump);
    return path.getFileSystem(getConf()).makeQualified(path);
  }

  private String chunkName(int chunk) {
    return daily ? "daily" : Catalog.chunkName(chunk, chunks);
  }

  Dataset imported(int chunk) throws IOException {
    return daily ? Catalog.analysis(getConf(), project.get()).incremental()
        : Dataset.of(getConf(), project.get(), Catalog.ANALYSIS_IMPORT + "/" + chunkName(chunk));
  }

  /** The analysis view as of the day before: what the daily import compares the dump with. */
  private SnapshotDataset.View dailyView(FileSystem fs) throws IOException {
    if (chunks != 1 || chunkList != null) {
      throw new UsageException("--daily reads the whole dump: no --chunks or --chunk");
    }
    LocalDate dayBefore = date.get().minusDays(1);
    SnapshotDataset.View view = Catalog.analysis(getConf(), project.get()).viewAsOf(fs, dayBefore);
    if (view.paths().isEmpty()) {
      throw new JobFailedException("no analysis view as of " + dayBefore + " to compare the dump with: "
          + "import the first full snapshot (s3-import of all chunks, then promote-import) first");
    }
    if (tombstones && !dumpPath().getFileSystem(getConf()).exists(new Path(dumpPath(), Dataset.SUCCESS_FLAG))) {
      throw new JobFailedException("--tombstones needs a complete dump: no " + Dataset.SUCCESS_FLAG + " in "
          + dumpPath());
    }
    return view;
  }

  private long fetchedAt() {
    return date.get().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  private static long viewBytes(FileSystem fs, SnapshotDataset.View view) throws IOException {
    long bytes = 0;
    for (Path path : view.paths()) {
      bytes += fs.getContentSummary(path).getLength();
    }
    return bytes;
  }

  private static long hdfsBytesRead(PipelineResult result) {
    long bytes = 0;
    for (PipelineResult.StageResult stage : result.getStageResults()) {
      Counter counter = stage.getCounters() == null ? null
          : stage.getCounters().findCounter("org.apache.hadoop.mapreduce.FileSystemCounter", "HDFS_BYTES_READ");
      bytes += counter == null ? 0 : counter.getValue();
    }
    return bytes;
  }

  Dataset missing(int chunk) throws IOException {
    return Dataset.of(getConf(), project.get(), Catalog.ANALYSIS_IMPORT_MISSING + "/" + chunkName(chunk));
  }

  Dataset failed(int chunk) throws IOException {
    return Dataset.of(getConf(), project.get(), Catalog.ANALYSIS_IMPORT_FAILED + "/" + chunkName(chunk));
  }
}
