package io.nightjar.common.tool;

import io.nightjar.common.crunch.PipelineCounters;
import io.nightjar.common.crunch.PipelineRuns;
import io.nightjar.common.dataset.DailyPublication;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.RecordAccounting;

import io.nightjar.avro.QuarantineRecord;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * Base of every tool that publishes days of a dataset: the one frame in which nightjar takes a day's lease, stages,
 * accounts and publishes.
 *
 * <p>What a tool gives:
 * <ul>
 *   <li>its plan ({@link DailyPlan}): the dataset, the day (or several days read at once) and the side datasets
 *       published with the day;
 *   <li>{@link #ready}: its refusals before anything starts, or a day that needs no run;
 *   <li>its data flow ({@link Flow}): built on the frame's pipeline ({@link #flow(Pipeline, DailyPlan)}), or, given
 *       the whole {@link Stage} ({@link #flow(Stage, DailyPlan)}), jobs of its own that write into staging (a plain
 *       MapReduce job; a plan, then a download) or files moved in from elsewhere; what it reads, a further gate, a
 *       report and additions beside the data;
 *   <li>what its summary line says ({@link #published}, or the whole line: {@link #summary}), and what the runs tell
 *       beyond the days ({@link #finished}).
 * </ul>
 *
 * <p>What the frame owns, in this order:
 * <ol>
 *   <li>each day begun ({@link DailyPublication#begin}): its lease taken, its staging folders and its scratch folder
 *       {@code _work-<day>-<run>} prepared, leftovers of dead runs removed;
 *   <li>the pipeline {@code nightjar <command> <date>} ({@code <first>..<last>} for several days), its temporary files
 *       in the scratch folder; the flow's output and quarantine written to staging (each day's part to its day) and
 *       the pipeline run;
 *   <li>the runs checked and each day published ({@link DailyPublication#finish}): record accounting, quarantine
 *       threshold, the flow's gate, its report and additions written beside the data, a manifest in each
 *       {@code _SUCCESS}; a day of several is published on its own, and the days refused are named together last;
 *   <li>one line per published day, {@code <command> <date>: published <day folder> <details>};
 *   <li>leases given back, and what was staged and not published, scratch and pipelines' temporary files removed,
 *       whatever happened.
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

    /** The day, or the first of several. */
    LocalDate date();

    /** The days one run publishes from one read, each on its own: {@link #date()} alone unless the tool says. */
    default List<LocalDate> days() {
      return List.of(date());
    }

    /**
     * Datasets whose same day the run publishes with the quarantine (what the job set aside, like ids to retry);
     * the flow writes them into {@link Stage#side}.
     */
    default List<Dataset> sides() {
      return List.of();
    }
  }

  /** Something made from a day's finished runs and published beside its data (a report), summarised in one line. */
  public interface Report {
    void writeInto(FileSystem fs, Path stagingDir) throws IOException;

    String summary();
  }

  /**
   * What the frame gives a flow: where the run's days are staged, and the pipelines that run there. Outputs written
   * elsewhere are not published.
   */
  public static final class Stage {
    private final Class<?> tool;
    private final String command;
    private final Configuration conf;
    private final Map<LocalDate, DailyPublication> days = new LinkedHashMap<>();
    private final List<Pipeline> pipelines = new ArrayList<>();
    private Pipeline pipeline;

    private Stage(Class<?> tool, String command, Configuration conf) {
      this.tool = tool;
      this.command = command;
      this.conf = conf;
    }

    /**
     * The frame's pipeline, {@code nightjar <command> <date>} ({@code <first>..<last>} for several days): the output
     * and quarantine of the {@link Flow} the tool returns are written and run on it.
     */
    public Pipeline pipeline() {
      if (pipeline == null) {
        List<LocalDate> dates = new ArrayList<>(days.keySet());
        pipeline = pipeline(dates.size() == 1 ? dates.get(0).toString()
            : dates.get(0) + ".." + dates.get(dates.size() - 1), UnaryOperator.identity());
      }
      return pipeline;
    }

    /**
     * A pipeline of the flow's own, {@code nightjar <command> <name>}, its configuration given {@code settings}:
     * the flow runs it with {@link #run}, and its temporary files are in the scratch folder too.
     */
    public Pipeline pipeline(String name, UnaryOperator<Configuration> settings) {
      Pipeline made = new MRPipeline(tool, "nightjar " + command + " " + name,
          settings.apply(first().pipelineConf(conf)));
      pipelines.add(made);
      return made;
    }

    /**
     * Runs one of the flow's own pipelines now and removes its temporary files; a failed run refuses the day
     * ({@code a MapReduce job of <command> failed: <cause>; nothing published}).
     */
    public PipelineResult run(Pipeline own, List<Path> inputs) {
      try {
        PipelineResult result = PipelineRuns.run(own, inputs);
        if (result == null || !result.succeeded()) {
          throw new JobFailedException("a MapReduce job of " + command + " failed" + (result == null
              ? " (see the log above)" : PipelineRuns.failure(result)) + "; nothing published");
        }
        return result;
      } finally {
        own.cleanup(true);
        pipelines.remove(own);
      }
    }

    /** Where the flow writes the data of the day (the first of several). */
    public Path data() {
      return first().dataStaging();
    }

    /** Where the flow writes the quarantine of the day (the first of several). */
    public Path quarantine() {
      return first().quarantineStaging();
    }

    /** Where the flow writes the day of side dataset {@code index} (in the order of {@link DailyPlan#sides}). */
    public Path side(int index) {
      return first().sideStaging(index);
    }

    /**
     * The run's scratch folder ({@code _work-<day>-<run>} beside the day): for what the flow passes from one job to
     * the next; removed when the run ends, however it ends.
     */
    public Path work() {
      return first().workDir();
    }

    private DailyPublication first() {
      return days.values().iterator().next();
    }

    private void close() throws IOException {
      try {
        for (DailyPublication day : days.values()) {
          day.close();
        }
      } finally {
        for (Pipeline made : pipelines) {
          made.cleanup(true);
        }
      }
    }
  }

  /**
   * What a tool's data flow gives the frame: the day's output and quarantine (written to staging and run on the
   * frame's pipeline), or runs the flow made itself, or folders it filled; and optionally what it
   * reads, a further condition for publishing the data, and a report and additions written beside it.
   */
  public static final class Flow {
    private final Function<LocalDate, PCollection<?>> output;
    private final Function<LocalDate, PCollection<QuarantineRecord>> quarantine;
    private final List<PipelineResult> earlierRuns = new ArrayList<>();
    private final List<Path> inputs = new ArrayList<>();
    private final Map<String, Object> manifestFields = new LinkedHashMap<>();
    private Path movedData;
    private Path movedQuarantine;
    private Function<LocalDate, DailyPublication.Gate> gate = day -> accounting -> { };
    private Function<List<PipelineResult>, Report> report;
    private DailyPublication.Addition addition = (dir, accounting) -> { };

    private Flow(Function<LocalDate, PCollection<?>> output,
        Function<LocalDate, PCollection<QuarantineRecord>> quarantine) {
      this.output = output;
      this.quarantine = quarantine;
    }

    /** A flow that quarantines nothing of its own (the day's quarantine is published empty). */
    public static Flow of(PCollection<?> output) {
      return new Flow(day -> output, day -> null);
    }

    public static Flow of(PCollection<?> output, PCollection<QuarantineRecord> quarantine) {
      return new Flow(day -> output, day -> quarantine);
    }

    /** Several days from one read: each day's part of the output and of the quarantine, published on its own. */
    public static Flow ofDays(Function<LocalDate, PCollection<?>> output,
        Function<LocalDate, PCollection<QuarantineRecord>> quarantine) {
      return new Flow(output, quarantine);
    }

    /**
     * A flow that ran its own jobs, in this order, into the stage (a plain MapReduce job; a plan, then a download):
     * the frame runs no pipeline, and checks and accounts these.
     */
    public static Flow ran(List<PipelineResult> runs) {
      Flow flow = new Flow(null, null);
      flow.earlierRuns.addAll(runs);
      return flow;
    }

    /**
     * A day made without a job: {@code data} and {@code quarantine}, folders the flow filled (by renames) on the
     * day's file system, are renamed into staging and published, the quarantine first; nothing is accounted.
     */
    public static Flow moved(Path data, Path quarantine) {
      Flow flow = new Flow(null, null);
      flow.movedData = data;
      flow.movedQuarantine = quarantine;
      return flow;
    }

    /**
     * The files, folders or globs the flow reads: listed in the manifests, and when a job fails, a damaged compressed
     * file among them is named in the reason.
     */
    public Flow reads(Path... paths) {
      inputs.addAll(List.of(paths));
      return this;
    }

    /** As {@link #reads(Path...)}. */
    public Flow reads(List<Path> paths) {
      inputs.addAll(paths);
      return this;
    }

    /** A further condition for publishing the data, checked after the record accounting. */
    public Flow gate(DailyPublication.Gate gate) {
      this.gate = day -> gate;
      return this;
    }

    /** A further condition for publishing each day's data, checked after its record accounting. */
    public Flow gateOfDay(Function<LocalDate, DailyPublication.Gate> gate) {
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

    /** Something written into the staged day once its checks pass, from its accounting. */
    public Flow beside(DailyPublication.Addition addition) {
      this.addition = addition;
      return this;
    }

    /** A field added to the manifests of a day made without a job ({@link #moved}). */
    public Flow manifest(String key, Object value) {
      manifestFields.put(key, value);
      return this;
    }
  }

  /**
   * A published day: its runs, their accounting (null for a day made without a job) and the flow's report (null
   * without one).
   */
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

  /** Builds the day's data flow on the frame's {@code pipeline} from the plan's inputs. */
  protected Flow flow(Pipeline pipeline, P plan) throws IOException {
    throw new UnsupportedOperationException(getClass().getName() + " gives no flow");
  }

  /**
   * Builds the flow with the whole stage, under the days' leases: a flow of jobs of its own, or of files moved in.
   * Returns null when the day turns out to need nothing (done already; the tool printed why), and the tool exits 0.
   * By default, {@link #flow(Pipeline, DailyPlan)} on the frame's pipeline.
   */
  protected Flow flow(Stage stage, P plan) throws IOException {
    return flow(stage.pipeline(), plan);
  }

  /**
   * Called once a day is published: does what follows publication (retention, say) and returns the details of
   * the summary line, what follows {@code <command> <date>: published <day folder> }.
   */
  protected abstract String published(P plan, Run run) throws IOException;

  /** The summary line of a published day: {@code <command> <date>: published <day folder> <details>}. */
  protected String summary(P plan, Run run) throws IOException {
    return command() + " " + run.date() + ": published " + plan.output().dayPath(run.date()) + " "
        + published(plan, run);
  }

  /**
   * Called once the run's days are published or refused (a refused day of a one-day run ends it first), under
   * {@code verify} too: what the runs tell beyond the days. Nothing by default.
   */
  protected void finished(P plan, List<PipelineResult> runs) throws IOException {
  }

  @Override
  protected int execute(P plan) throws IOException {
    // verify computes a published day again into scratch: the checks that guard the real day (later days computed
    // from it, say) do not apply.
    if (DailyPublication.verifying(getConf()) || ready(plan)) {
      publish(plan);
    }
    return 0;
  }

  /** The frame: begins the plan's days, runs the flow, publishes each day and prints its summary line. */
  protected final List<Run> publish(P plan) throws IOException {
    Configuration conf = pipelineSettings == null ? getConf() : pipelineSettings.apply(new Configuration(getConf()));
    Stage stage = new Stage(getClass(), command(), conf);
    try {
      for (LocalDate date : plan.days()) {
        stage.days.put(date, DailyPublication.begin(getConf(), plan.output(), date,
            plan.sides().toArray(new Dataset[0])));
      }
      Flow flow = flow(stage, plan);
      if (flow == null) {
        return List.of();
      }
      List<PipelineResult> runs = new ArrayList<>(flow.earlierRuns);
      if (flow.output != null) {
        for (Map.Entry<LocalDate, DailyPublication> day : stage.days.entrySet()) {
          stage.pipeline().write(flow.output.apply(day.getKey()), To.avroFile(day.getValue().dataStaging()));
          PCollection<QuarantineRecord> quarantine = flow.quarantine.apply(day.getKey());
          if (quarantine != null) {
            stage.pipeline().write(quarantine, To.avroFile(day.getValue().quarantineStaging()));
          }
        }
      }
      stage.days.values().forEach(day -> day.reads(flow.inputs));
      if (flow.output != null) {
        runs.add(PipelineRuns.run(stage.pipeline(), flow.inputs));
      }
      return publishDays(plan, stage, flow, runs);
    } finally {
      stage.close();
    }
  }

  /** Publishes each staged day with its summary line; a day of several on its own, the refused named last. */
  private List<Run> publishDays(P plan, Stage stage, Flow flow, List<PipelineResult> runs) throws IOException {
    Report report = flow.report != null && runs.stream().allMatch(run -> run != null && run.succeeded())
        ? flow.report.apply(runs) : null;
    List<Run> published = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (Map.Entry<LocalDate, DailyPublication> day : stage.days.entrySet()) {
      try {
        Run run = new Run(day.getKey(), runs, publishDay(day.getValue(), stage.days.size() > 1, flow, runs, report),
            report);
        published.add(run);
        if (!DailyPublication.verifying(getConf())) { // what follows publication (retention) is for real days only
          out.println(summary(plan, run));
        }
      } catch (JobFailedException e) {
        if (stage.days.size() == 1) {
          throw e;
        }
        refused.add(day.getKey() + ": " + e.getMessage());
      }
    }
    finished(plan, runs);
    if (!refused.isEmpty()) {
      throw new JobFailedException(refused.size() + " of " + stage.days.size() + " days not published: "
          + String.join("; ", refused));
    }
    return published;
  }

  /** Checks and publishes one staged day: its accounting (null for a day made without a job). */
  private RecordAccounting publishDay(DailyPublication day, boolean ofSeveral, Flow flow, List<PipelineResult> runs,
      Report report) throws IOException {
    FileSystem fs = day.dataStaging().getFileSystem(getConf());
    if (flow.movedData != null) {
      if (report != null) {
        report.writeInto(fs, flow.movedData);
      }
      day.publishMoved(flow.movedData, flow.movedQuarantine, flow.manifestFields);
      return null;
    }
    DailyPublication.Addition addition = (dir, accounting) -> {
      if (report != null) {
        report.writeInto(fs, dir);
      }
      flow.addition.writeInto(dir, accounting);
    };
    DailyPublication.Gate gate = flow.gate.apply(day.day());
    return ofSeveral ? day.finishDay(runs, gate, addition) : day.finish(runs, gate, addition);
  }

  private String command() {
    return getClass().getAnnotation(Command.class).name();
  }
}
