package io.nightjar.common.crunch;

import io.nightjar.common.avro.AvroInputCheck;
import io.nightjar.common.dataset.Manifest;
import io.nightjar.common.tool.JobFailedException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineExecution;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.hadoop.mapreduce.lib.jobcontrol.CrunchControlledJob;
import org.apache.crunch.impl.mr.MRJob;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.impl.mr.MRPipelineExecution;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.TaskCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pipeline and, when one of its MapReduce jobs fails, finds the root cause for the one-line reason: the first
 * failed task attempt's exception (as the cluster's application master reports it; the local job runner keeps it to
 * its log), and a damaged compressed input file among those the run names (a truncated {@code .gz}, read to its end
 * on this failure path only), or where no task diagnostic exists, a damaged Avro file (its blocks walked). Use
 * {@link #run(Pipeline, List)} wherever a tool would call {@code pipeline.run()}, and {@link #failure(PipelineResult)}
 * for the reason.
 */
public final class PipelineRuns {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRuns.class);

  /** Task completion events read per call, and input files and bytes looked at before giving up on a cause. */
  private static final int EVENTS_PER_CALL = 1_000;
  private static final int FILES_EXAMINED = 1_000;
  private static final long BYTES_EXAMINED = 1L << 30;
  private static final long KILL_WAIT_SECONDS = 60;

  private PipelineRuns() {
  }

  /** A failed run and its cause, or the hint to read the log when none was found. */
  public static final class Failed extends PipelineResult {
    private final String cause;

    Failed(PipelineResult result, String cause) {
      super(result.getStageResults(), result.succeeded() ? PipelineExecution.Status.SUCCEEDED
          : PipelineExecution.Status.FAILED);
      this.cause = cause;
    }

    /** {@code result} (several runs as one) failed for this run's cause. */
    public Failed with(PipelineResult result) {
      return new Failed(result, cause);
    }
  }

  /** Runs the pipeline; a failed run's result carries the cause, found in its jobs and in {@code inputs}. */
  public static PipelineResult run(Pipeline pipeline, List<Path> inputs) {
    if (!(pipeline instanceof MRPipeline)) {
      return pipeline.run();
    }
    MRPipelineExecution execution = ((MRPipeline) pipeline).runAsync();
    try {
      execution.waitUntilDone();
    } catch (InterruptedException e) {
      try {
        // Killing only signals: wait (a bounded time) for the jobs to stop before the caller removes their staging.
        execution.kill();
        execution.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException again) {
        // interrupted again: give up waiting
      }
      Thread.currentThread().interrupt();
      throw new JobFailedException("interrupted while its MapReduce jobs ran");
    }
    PipelineResult result = execution.getResult();
    if (result == null || result.succeeded()) {
      return result;
    }
    List<Job> failed = new ArrayList<>();
    String submission = null;
    for (MRJob job : execution.getJobs()) {
      if (job.getJobState() == MRJob.State.FAILED && job.getJob() != null) {
        failed.add(job.getJob());
        if (submission == null && job instanceof CrunchControlledJob controlled && controlled.getMessage() != null
            && !controlled.getMessage().isBlank() && !controlled.getMessage().equals("Job failed!")) {
          submission = firstLine(controlled.getMessage()); // e.g. a submission refused by the cluster
        }
      }
    }
    String cause = cause(pipeline.getConfiguration(), failed, inputs);
    return new Failed(result, cause != null ? cause : submission);
  }

  /** A plain MapReduce job's outcome as a one-stage pipeline result; a failed one carries its cause. */
  public static PipelineResult ofJob(Job job, boolean succeeded, List<Path> inputs) throws IOException {
    PipelineResult result = new PipelineResult(List.of(new PipelineResult.StageResult(job.getJobName(),
        job.getCounters())), succeeded ? PipelineExecution.Status.SUCCEEDED : PipelineExecution.Status.FAILED);
    return succeeded ? result : new Failed(result, cause(job.getConfiguration(), List.of(job), inputs));
  }

  /**
   * The reason a run failed, to follow "a MapReduce job ... failed": {@code ": <cause>"}, or
   * {@code " (see the log above)"} when no cause was found.
   */
  public static String failure(PipelineResult result) {
    return result instanceof Failed failed && failed.cause != null ? ": " + failed.cause : " (see the log above)";
  }

  /** The first failed task's exception, and a damaged compressed input; null when neither is found. */
  static String cause(Configuration conf, List<Job> failedJobs, List<Path> inputs) {
    String task = null;
    for (Job job : failedJobs) {
      task = taskDiagnostic(job);
      if (task != null) {
        break;
      }
    }
    // Only where the failure can be a damaged file: no diagnostic (the local runner keeps none) or a decompression
    // error; reading every compressed input after an out-of-memory task would hold the day's lease for nothing. A
    // damaged Avro block names its file in the task's own exception (CheckedDataFileReader), so the Avro inputs are
    // walked only where there is no diagnostic.
    String damaged = task == null || DECOMPRESSION.matcher(task).find() ? damagedCompressedInput(conf, inputs) : null;
    if (damaged == null && task == null) {
      damaged = damagedAvroInput(conf, inputs);
    }
    if (task == null) {
      return damaged;
    }
    return damaged == null ? task : task + "; " + damaged;
  }

  /** The first line of the first failed task attempt's diagnostics; null where the runner keeps none (local mode). */
  static String taskDiagnostic(Job job) {
    try {
      for (int from = 0; ; from += EVENTS_PER_CALL) {
        TaskCompletionEvent[] events = job.getTaskCompletionEvents(from, EVENTS_PER_CALL);
        for (TaskCompletionEvent event : events) {
          if (event.getStatus() == TaskCompletionEvent.Status.FAILED
              || event.getStatus() == TaskCompletionEvent.Status.TIPFAILED) {
            for (String diagnostic : job.getTaskDiagnostics(event.getTaskAttemptId())) {
              String line = firstLine(diagnostic);
              if (!line.isEmpty()) {
                return "task " + event.getTaskAttemptId() + ": " + line;
              }
            }
          }
        }
        if (events.length < EVENTS_PER_CALL) {
          break;
        }
      }
      // "NA" is JobStatus's default, which the local job runner never replaces.
      String info = job.getStatus() == null ? null : job.getStatus().getFailureInfo();
      return info == null || info.isBlank() || info.strip().equals("NA") ? null : firstLine(info);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not read the failed job's task diagnostics", e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * The first compressed file under {@code inputs} (files, folders or globs) that does not decompress to its end, as
   * {@code "<file> is damaged: <exception>"}; null when every one does or none is compressed.
   */
  static String damagedCompressedInput(Configuration conf, List<Path> inputs) {
    CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
    return firstDamaged(conf, inputs, "", file -> codecs.getCodec(file.getPath()) != null,
        file -> damage(file.getPath().getFileSystem(conf), codecs.getCodec(file.getPath()), file.getPath()));
  }

  /**
   * The first {@code .avro} file under {@code inputs} whose blocks do not walk from its header to its end, as
   * {@code "<file> is damaged: <reason>"}; null when none is (the walk reads a file's block headers: on HDFS, the
   * whole file).
   */
  static String damagedAvroInput(Configuration conf, List<Path> inputs) {
    return firstDamaged(conf, inputs, "Avro ", file -> file.getPath().getName().endsWith(".avro"),
        file -> AvroInputCheck.damage(file.getPath().getFileSystem(conf), file));
  }

  /** What is wrong with one input file, or null. */
  @FunctionalInterface
  private interface FileDamage {
    String of(FileStatus file) throws IOException;
  }

  /**
   * The first of the files under {@code inputs} that {@code examined} picks and {@code damage} finds damaged, as
   * {@code "<file> is damaged: <damage>"}; null when none is, or after {@value #FILES_EXAMINED} files or
   * {@value #BYTES_EXAMINED} bytes examined. {@code kind} names the files in the log ("Avro ", or "").
   */
  private static String firstDamaged(Configuration conf, List<Path> inputs, String kind,
      Predicate<FileStatus> examined, FileDamage damage) {
    int files = 0;
    long bytes = 0;
    try {
      for (FileStatus file : Manifest.inputFiles(conf, inputs)) {
        if (!examined.test(file)) {
          continue;
        }
        if (files++ >= FILES_EXAMINED || (bytes += file.getLen()) > BYTES_EXAMINED) {
          LOG.warn("stopped looking for a damaged {}input after {} files, {} bytes", kind, files - 1, bytes);
          return null;
        }
        String found = damage.of(file);
        if (found != null) {
          return file.getPath() + " is damaged: " + found;
        }
      }
    } catch (IOException e) {
      LOG.warn("could not list the run's inputs to look for a damaged " + kind + "file", e);
    }
    return null;
  }

  private static String damage(FileSystem fs, CompressionCodec codec, Path file) {
    byte[] buffer = new byte[64 * 1024];
    InputStream opened;
    InputStream raw = null;
    try {
      raw = fs.open(file);
      opened = codec.createInputStream(raw);
    } catch (IOException | RuntimeException e) {
      // No native library for the codec here (zstd without libhadoop): the file cannot be checked, not damaged.
      LOG.warn("could not check {} for damage: {}", file, e.toString());
      IOUtils.closeStream(raw);
      return null;
    }
    try (InputStream in = opened) {
      while (in.read(buffer) >= 0) {
        // read to the end: a truncated stream fails here
      }
      return null;
    } catch (EOFException e) {
      return e.getClass().getName() + ": " + e.getMessage() + " (the file is truncated)";
    } catch (IOException | RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** A task failure that a damaged compressed file gives: an early end of its stream or a bad block. */
  private static final Pattern DECOMPRESSION = Pattern.compile("EOFException|ZipException|Unexpected end of|"
      + "invalid (block|distance|stored|code)|incorrect header check|CRC|[Cc]orrupt");

  private static String firstLine(String text) {
    String stripped = text.strip();
    int end = stripped.indexOf('\n');
    return (end < 0 ? stripped : stripped.substring(0, end)).strip();
  }
}
