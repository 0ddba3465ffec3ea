package io.nightjar.common.tool;

import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.crunch.PipelineCounters;
import io.nightjar.common.crunch.PipelineRuns;
import io.nightjar.common.dataset.DailyPublication;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.RecordAccounting;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.io.To;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;

/**
 * Base of a tool that publishes one day of one dataset with a Crunch pipeline. The plan names the output dataset and
 * the day; the tool gives only its data flow ({@link #flow}) and what its summary line says ({@link #published}).
 * The base owns the frame around them:
 *
 * <ol>
 *   <li>{@link #ready}: the tool's refusals before anything starts, or a day that needs no run;
 *   <li>a pipeline named {@code nightjar <command> <date>}, and the day begun ({@link DailyPublication#begin}: its
 *       lease taken, staging folders for the data and the quarantine);
 *   <li>the flow's output and quarantine written to staging, the pipeline run;
 *   <li>the run checked and the day published ({@link DailyPublication#finish}: record accounting, quarantine
 *       threshold, the flow's {@link Flow#gate gate}, its {@link Flow#report report} written beside the data);
 *   <li>one line {@code <command> <date>: published <day folder> <details>}, the details from {@link #published}.
 * </ol>
 */
public abstract class DailyJobTool<P extends DailyJobTool.DailyPlan> extends NightjarTool<P> {

  private final UnaryOperator<Configuration> pipelineSettings;

  /** The day's pipeline runs with the tool's configuration. */
  protected DailyJobTool() {
    this(null);
  }

  /** The day's pipeline runs with a copy of the tool's configuration given {@code pipelineSettings} (a codec). */
  protected DailyJobTool(UnaryOperator<Configuration> pipelineSettings) {
    this.pipelineSettings = pipelineSettings;
  }

  /** The plan of a daily job: besides what it reads, the dataset and day it publishes. */
  public interface DailyPlan extends Plan {
    Dataset output();

    LocalDate date();
  }

  /** Something made from a day's finished runs and published beside its data (a report), summarised in one line. */
  public interface Report {
    void writeInto(FileSystem fs, Path stagingDir) throws IOException;

    String summary();
  }

  /**
   * What a tool's data flow gives the frame: the day's output and quarantine (both written to staging), and
   * optionally runs the flow made itself before the last one, a further condition for publishing the data, and a
   * report written beside it.
   */
  public static final class Flow {
    private final PCollection<?> output;
    private final PCollection<QuarantineRecord> quarantine;
    private final List<PipelineResult> earlierRuns = new ArrayList<>();
    private final List<Path> inputs = new ArrayList<>();
    private DailyPublication.Gate gate = accounting -> { };
    private Function<List<PipelineResult>, Report> report;

    private Flow(PCollection<?> output, PCollection<QuarantineRecord> quarantine) {
      this.output = output;
      this.quarantine = quarantine;
    }

    /** A flow that quarantines nothing of its own (the day's quarantine is published empty). */
    public static Flow of(PCollection<?> output) {
      return new Flow(output, null);
    }

    public static Flow of(PCollection<?> output, PCollection<QuarantineRecord> quarantine) {
      return new Flow(output, quarantine);
    }

    /** A run of the pipeline the flow made before the last (a job of its own first): checked and accounted too. */
    public Flow ranFirst(PipelineResult run) {
      earlierRuns.add(run);
      return this;
    }

    /**
     * The files, folders or globs the flow reads: when a job fails, a damaged compressed file among them is named in
     * the reason.
     */
    public Flow reads(Path... paths) {
      inputs.addAll(List.of(paths));
      return this;
    }

    /** A further condition for publishing the data, checked after the record accounting. */
    public Flow gate(DailyPublication.Gate gate) {
      this.gate = gate;
      return this;
    }

    /**
     * A report made from the runs once they all succeeded, written into the day's folder and given to
     * {@link #published}.
     */
    public Flow report(Function<List<PipelineResult>, Report> report) {
      this.report = report;
      return this;
    }
  }

  /** A published day: its runs, their accounting and the flow's report (null without one). */
  public record Run(LocalDate date, List<PipelineResult> results, RecordAccounting accounting, Report report) {
    /** The counters of {@code group}, summed over the runs. */
    public Map<String, Long> counters(String group) {
      return PipelineCounters.group(results, group);
    }
  }

  /**
   * Checks before the pipeline is built or the day's lease taken (throws {@link JobFailedException} to refuse the
   * day); returns false when the day needs no run (the tool printed why), and the tool exits 0.
   */
  protected boolean ready(P plan) throws IOException {
    return true;
  }

  /** Builds the day's data flow on {@code pipeline} from the plan's inputs. */
  protected abstract Flow flow(Pipeline pipeline, P plan) throws IOException;

  /**
   * Called once the day is published: does what follows publication (retention, say) and returns the details of
   * the summary line, what follows {@code <command> <date>: published <day folder> }.
   */
  protected abstract String published(P plan, Run run) throws IOException;

  @Override
  protected int execute(P plan) throws IOException {
    // verify computes a published day again into scratch: the checks that guard the real day (later days computed
    // from it, say) do not apply.
    if (DailyPublication.verifying(getConf()) || ready(plan)) {
      publishDay(plan);
    }
    return 0;
  }

  /** The frame: runs the flow, publishes the day and prints its summary line; returns the published run. */
  protected final Run publishDay(P plan) throws IOException {
    LocalDate date = plan.date();
    Dataset output = plan.output();
    Configuration conf = pipelineSettings == null ? getConf() : pipelineSettings.apply(new Configuration(getConf()));
    Pipeline pipeline = null;
    try (DailyPublication day = DailyPublication.begin(getConf(), output, date)) {
      pipeline = new MRPipeline(getClass(), "nightjar " + command() + " " + date, day.pipelineConf(conf));
      Flow flow = flow(pipeline, plan);
      pipeline.write(flow.output, To.avroFile(day.dataStaging()));
      if (flow.quarantine != null) {
        pipeline.write(flow.quarantine, To.avroFile(day.quarantineStaging()));
      }
      day.reads(flow.inputs);
      List<PipelineResult> runs = new ArrayList<>(flow.earlierRuns);
      runs.add(PipelineRuns.run(pipeline, flow.inputs));
      Report report = flow.report != null && runs.stream().allMatch(run -> run != null && run.succeeded())
          ? flow.report.apply(runs) : null;
      FileSystem fs = day.dataStaging().getFileSystem(getConf());
      RecordAccounting accounting = day.finish(runs, flow.gate, (dir, acc) -> {
        if (report != null) {
          report.writeInto(fs, dir);
        }
      });
      Run run = new Run(date, runs, accounting, report);
      if (DailyPublication.verifying(getConf())) {
        return run; // what follows publication (retention) is for the real day only
      }
      printSummary(output, date, published(plan, run));
      return run;
    } finally {
      if (pipeline != null) {
        pipeline.cleanup(true);
      }
    }
  }

  /** The summary line of a published day: {@code <command> <date>: published <day folder> <details>}. */
  protected final void printSummary(Dataset output, LocalDate date, String details) {
    out.println(command() + " " + date + ": published " + output.dayPath(date) + " " + details);
  }

  private String command() {
    return getClass().getAnnotation(Command.class).name();
  }
}
