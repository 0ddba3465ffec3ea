package io.nightjar.common.dataset;

import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.crunch.PipelineRuns;
import io.nightjar.common.tool.DailyJobTool;
import io.nightjar.common.tool.JobFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.crunch.PipelineExecution;
import org.apache.crunch.PipelineResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one day of a dataset together with its quarantine, the way every daily nightjar job ends:
 *
 * <pre>{@code
 * try (DailyPublication day = DailyPublication.begin(conf, dataset, date)) {
 *   pipeline.write(output, To.avroFile(day.dataStaging()));
 *   pipeline.write(quarantine, To.avroFile(day.quarantineStaging()));
 *   RecordAccounting accounting = day.finish(PipelineRuns.run(pipeline, inputs));
 * }
 * }</pre>
 *
 * <p>{@link #finish} publishes nothing if a MapReduce job failed or the record accounting does not balance. When too
 * much input was quarantined ({@value RecordAccounting#MAX_QUARANTINE_FRACTION_KEY}) it publishes the quarantine, so
 * the bad records can be inspected, but not the data. Otherwise both appear, each in one rename
 * (see {@link Publication}). Closing without finishing discards what was staged.
 *
 * <p>{@link DailyJobTool} runs this frame for every tool that publishes days: tools do not call it themselves.
 *
 * <p>{@link #begin} takes the day's {@link DatasetLease} first, so a second run of the same day is refused (or waits)
 * before it does any work; {@link #close} gives it back.
 */
public final class DailyPublication implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DailyPublication.class);

  private final Configuration conf;
  private final Dataset dataset;
  private final LocalDate day;
  private final Publication data;
  private final Publication quarantine;
  private final List<Publication> sides;
  private final DatasetLease lease;
  private final Path workDir;
  private final List<Path> inputs = new ArrayList<>();
  /** The inputs as listed once for the run's manifests, before it replaces anything (a retry's failed list). */
  private Map<String, Object> inputsListed;

  /**
   * Crunch's {@code RuntimeParameters.TMP_DIR}, spelled out (an inlined constant leaves an unrelocated class constant
   * in the job jar): where a pipeline keeps its temporary files.
   */
  static final String CRUNCH_TMP_DIR_KEY = "crunch.tmp.dir";

  private DailyPublication(Configuration conf, Dataset dataset, LocalDate day, Publication data,
      Publication quarantine, List<Publication> sides, DatasetLease lease) {
    this.lease = lease;
    this.conf = conf;
    this.dataset = dataset;
    this.day = day;
    this.data = data;
    this.quarantine = quarantine;
    this.sides = sides;
    this.workDir = new Path(dataset.path(), WORK_PREFIX + day + "-" + UUID.randomUUID());
  }

  private static final String WORK_PREFIX = "_work-";

  /**
   * Starts publishing {@code day} of {@code dataset} and its quarantine, plus the same day of each side dataset
   * (records the job set aside for later, like failed ids to retry): sides are published with the quarantine.
   */
  public static DailyPublication begin(Configuration conf, Dataset dataset, LocalDate day, Dataset... sideDatasets)
      throws IOException {
    if (verifying(conf)) {
      dataset = rebased(conf, dataset);
      sideDatasets = sideDatasets.clone();
      for (int i = 0; i < sideDatasets.length; i++) {
        sideDatasets[i] = rebased(conf, sideDatasets[i]);
      }
    }
    DatasetLease lease = DatasetLease.acquire(conf, dataset, day);
    try {
      FileSystem fs = dataset.path().getFileSystem(conf);
      List<Publication> sides = new ArrayList<>();
      for (Dataset side : sideDatasets) {
        sides.add(Publication.begin(fs, side.dayPath(day)));
      }
      removeDeadRunsWork(fs, dataset, day);
      return new DailyPublication(conf, dataset, day, Publication.begin(fs, dataset.dayPath(day)),
          Publication.begin(fs, dataset.quarantinePath(day)), sides, lease);
    } catch (IOException | RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /**
   * Set by {@code verify}: every day is published under this root instead (same project and dataset names), while
   * inputs are read where they are, so a published day can be computed again beside itself.
   */
  public static final String VERIFY_INTO_KEY = "nightjar.verify.into";

  /** Whether this run publishes into {@code verify}'s scratch root (and must leave the real datasets alone). */
  public static boolean verifying(Configuration conf) {
    return conf.get(VERIFY_INTO_KEY) != null;
  }

  private static Dataset rebased(Configuration conf, Dataset dataset) throws IOException {
    Configuration scratch = new Configuration(conf);
    scratch.set(Dataset.ROOT_KEY, conf.get(VERIFY_INTO_KEY));
    return Dataset.of(scratch, dataset.project(), dataset.name());
  }

  /**
   * With the day's lease held, any other run's work folder of the day belongs to a run that died before cleaning up
   * (kill -9, a lost container): removed.
   */
  private static void removeDeadRunsWork(FileSystem fs, Dataset dataset, LocalDate day) throws IOException {
    FileStatus[] leftovers = fs.globStatus(new Path(dataset.path(), WORK_PREFIX + day + "-*"));
    for (FileStatus leftover : leftovers == null ? new FileStatus[0] : leftovers) {
      if (fs.delete(leftover.getPath(), true)) {
        LOG.info("Removed {}, left by a run that ended before cleaning up", leftover.getPath());
      }
    }
  }

  /**
   * This run's scratch folder beside the day ({@code _work-<day>-<run>}, hidden from readers): removed when the
   * publication closes, and by the next run of the day when this one dies first.
   */
  public Path workDir() {
    return workDir;
  }

  /**
   * {@code conf} with the Crunch pipeline's temporary files in {@link #workDir()}, so a killed run leaves none
   * behind in {@code /tmp} (Crunch's default, cleaned only by the pipeline that made them).
   */
  public Configuration pipelineConf(Configuration conf) {
    Configuration copy = new Configuration(conf);
    copy.set(CRUNCH_TMP_DIR_KEY, new Path(workDir, "crunch").toString());
    return copy;
  }

  /** The files, folders or globs the run reads: listed in every manifest with their lengths and checksums. */
  public DailyPublication reads(List<Path> paths) {
    inputs.addAll(paths);
    return this;
  }

  /** Where the job writes the day of side dataset {@code index} (in the order given to {@link #begin}). */
  public Path sideStaging(int index) {
    return sides.get(index).stagingDir();
  }

  /** A further condition for publishing the data, checked after the record accounting. */
  @FunctionalInterface
  public interface Gate {
    /** Throws {@link JobFailedException} with the reason when the data must not be published. */
    void check(RecordAccounting accounting);
  }

  /** The day this publishes. */
  public LocalDate day() {
    return day;
  }

  public Path dataStaging() {
    return data.stagingDir();
  }

  public Path quarantineStaging() {
    return quarantine.stagingDir();
  }

  /** Something a job adds to its staged day before it is published (a report, a manifest). */
  @FunctionalInterface
  public interface Addition {
    void writeInto(Path stagingDir, RecordAccounting accounting) throws IOException;
  }

  /** Checks the run and publishes the day; throws {@link JobFailedException} with the reason otherwise. */
  public RecordAccounting finish(PipelineResult result) throws IOException {
    return finish(result, (dir, accounting) -> { });
  }

  /** As {@link #finish(PipelineResult)}, writing {@code addition} into the staged day once the checks pass. */
  public RecordAccounting finish(PipelineResult result, Addition addition) throws IOException {
    return finish(result, accounting -> { }, addition);
  }

  /**
   * For one day of a run that publishes several: checks the runs' balance, then publishes this day with its own
   * accounting ({@link RecordAccounting#ofDay}), the quarantine threshold applied to this day's records.
   */
  public RecordAccounting finishDay(List<PipelineResult> results, Gate gate, Addition addition) throws IOException {
    return finish(combined(results), gate, addition, day.toString());
  }

  /** As {@link #finish(PipelineResult, Addition)}, publishing the data only if {@code gate} also passes. */
  public RecordAccounting finish(PipelineResult result, Gate gate, Addition addition) throws IOException {
    return finish(result, gate, addition, null);
  }

  /**
   * As {@link #finish(PipelineResult, Gate, Addition)} for a day written by several pipeline runs, one after another
   * (a job of its own first; a plan, then a download): their jobs are checked and accounted together.
   */
  public RecordAccounting finish(List<PipelineResult> results, Gate gate, Addition addition) throws IOException {
    return finish(combined(results), gate, addition, null);
  }

  /**
   * Publishes a day made without a job, from {@code filledData} and {@code filledQuarantine}: folders filled
   * beforehand (by renames) on the day's file system, outside staging, so a run killed before this loses nothing. Each
   * is renamed into its staging folder and published, the quarantine first, with a manifest of the inputs, its files
   * and {@code fields}. What was published stays published; a folder that could not be published is moved back to where
   * it was filled, so a rerun resumes from it.
   */
  public void publishMoved(Path filledData, Path filledQuarantine, Map<String, Object> fields) throws IOException {
    inputsListed = Manifest.listInputs(conf, inputs);
    commitMoved(quarantine, filledQuarantine, "quarantine", fields);
    commitMoved(data, filledData, "data", fields);
  }

  private void commitMoved(Publication publication, Path filled, String kind, Map<String, Object> fields)
      throws IOException {
    FileSystem fs = filled.getFileSystem(conf);
    fs.mkdirs(publication.stagingDir().getParent()); // HDFS renames only into an existing folder
    if (!fs.rename(filled, publication.stagingDir())) {
      throw new IOException("could not rename " + filled + " to " + publication.stagingDir() + "; rerun "
          + conf.get(Manifest.TOOL_KEY) + " to resume");
    }
    try {
      Manifest manifest = Manifest.of(conf, publication.target(), dataset.project() + "/" + dataset.name(), day,
          kind).inputs(inputsListed).outputs(conf, fs, publication.stagingDir());
      fields.forEach(manifest::put);
      publication.commit(manifest.toJson());
    } catch (IOException | RuntimeException e) {
      // The files are not staging's to discard (close() would delete them): back to where a rerun resumes from.
      if (fs.exists(publication.stagingDir()) && !fs.rename(publication.stagingDir(), filled)) {
        e.addSuppressed(new IOException("could not move " + publication.stagingDir() + " back to " + filled));
      }
      throw e;
    }
  }

  /** The runs as one: their jobs in order; no result if one stopped without one; failed if one failed. */
  private static PipelineResult combined(List<PipelineResult> results) {
    List<PipelineResult.StageResult> stages = new ArrayList<>();
    PipelineResult firstFailed = null;
    for (PipelineResult result : results) {
      if (result == null) {
        return null;
      }
      stages.addAll(result.getStageResults());
      firstFailed = firstFailed == null && !result.succeeded() ? result : firstFailed;
    }
    PipelineResult combined = new PipelineResult(stages, firstFailed == null ? PipelineExecution.Status.SUCCEEDED
        : PipelineExecution.Status.FAILED);
    return firstFailed instanceof PipelineRuns.Failed failed ? failed.with(combined) : combined;
  }

  private RecordAccounting finish(PipelineResult result, Gate gate, Addition addition, String ofDay)
      throws IOException {
    if (result == null || !result.succeeded()) {
      close();
      // No result at all: a job's submission or monitoring threw (permissions, lost history server), and Crunch
      // only logged the cause (org.apache.crunch.impl.mr.exec).
      throw new JobFailedException((result == null ? "the pipeline stopped without a result (see the log above)"
          : "a MapReduce job of the pipeline failed" + PipelineRuns.failure(result)) + "; " + dataset.dayPath(day)
          + " not published");
    }
    RecordAccounting run = RecordAccounting.of(result);
    // A day of several has its own quarantine reasons, counted from its staged quarantine; its skip reasons are not
    // kept per day (the run's counters would outgrow Hadoop's limit), so none are shown rather than the run's.
    RecordAccounting accounting = ofDay == null ? run : RecordAccounting.ofDay(result, ofDay,
        quarantineReasons(quarantine.stagingDir()), Map.of());
    LOG.info("{} {}: {}", dataset.name(), day, accounting);
    try {
      run.check();
    } catch (JobFailedException e) {
      close();
      throw e;
    }
    inputsListed = Manifest.listInputs(conf, inputs);
    quarantine.commit(manifest(quarantine, "quarantine", result, accounting));
    for (Publication side : sides) {
      side.commit(manifest(side, "data", result, accounting));
    }
    double maxFraction = conf.getDouble(RecordAccounting.MAX_QUARANTINE_FRACTION_KEY,
        RecordAccounting.DEFAULT_MAX_QUARANTINE_FRACTION);
    try {
      accounting.checkQuarantineFraction(maxFraction, quarantine.target());
      gate.check(accounting);
    } catch (JobFailedException e) {
      data.abort();
      throw e;
    }
    FileSystem fs = data.stagingDir().getFileSystem(conf);
    fs.mkdirs(data.stagingDir());
    addition.writeInto(data.stagingDir(), accounting);
    try {
      data.commit(manifest(data, "data", result, accounting));
    } catch (IOException | RuntimeException e) {
      // The day's quarantine and lists stand or fall with the day: a rerun that could not replace the day puts back
      // the ones it replaced, so the published day and its quarantine never disagree.
      quarantine.revert();
      for (Publication side : sides) {
        side.revert();
      }
      throw e;
    }
    return accounting;
  }

  /** The manifest of one of the day's folders, from what is staged in it and the run's jobs and accounting. */
  private String manifest(Publication publication, String kind, PipelineResult result, RecordAccounting accounting)
      throws IOException {
    FileSystem fs = publication.stagingDir().getFileSystem(conf);
    return Manifest.of(conf, publication.target(), dataset.project() + "/" + dataset.name(), day, kind)
        .inputs(inputsListed).outputs(conf, fs, publication.stagingDir()).accounting(accounting)
        .jobs(List.of(result)).toJson();
  }

  /** Quarantined records by reason in the staged quarantine {@code dir} (empty when nothing was staged). */
  private Map<String, Long> quarantineReasons(Path dir) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    Map<String, Long> reasons = new TreeMap<>();
    if (!fs.exists(dir)) {
      return reasons;
    }
    for (FileStatus file : AvroFiles.avroFileStatuses(fs, dir)) {
      try (InputStream in = fs.open(file.getPath());
          DataFileStream<QuarantineRecord> records = new DataFileStream<>(in,
              new SpecificDatumReader<>(QuarantineRecord.class))) {
        for (QuarantineRecord record : records) {
          reasons.merge(record.getReason().toString(), record.getRecords(), Long::sum);
        }
      }
    }
    return reasons;
  }

  /** Discards whatever was staged and not published, and gives the day's lease back. */
  @Override
  public void close() throws IOException {
    try {
      data.abort();
      quarantine.abort();
      for (Publication side : sides) {
        side.abort();
      }
      FileSystem fs = workDir.getFileSystem(conf);
      if (fs.exists(workDir)) {
        fs.delete(workDir, true);
      }
    } finally {
      lease.close();
    }
  }
}
