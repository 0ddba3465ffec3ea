package io.nightjar.jobs.tracks.snapshots;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.SnapshotDataset;
import io.nightjar.common.tool.DailyJobTool;
import io.nightjar.common.tool.DayOption;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.ProjectOption;
import io.nightjar.jobs.Catalog;
import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.crunch.Pipeline;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code analysis-compact}: merges the latest full analysis snapshot before {@code --date} with the incrementals after
 * it (up to and including {@code --date}) into a new full snapshot {@code analysis/full/<date>/}, then retires what no
 * reader of the last {@code --keep-days} days needs.
 */
@Command(name = "analysis-compact", sortOptions = false,
    description = "Merge the latest full analysis snapshot and the incrementals after it into a new full snapshot.")
public final class AnalysisCompactTool extends DailyJobTool<AnalysisCompactTool.Compaction> {

  @Mixin
  private DayOption date;

  @Mixin
  private final ProjectOption project = new ProjectOption(Catalog.TRACKS);

  @Option(names = "--keep-days", defaultValue = "1",
      description = "Keep what the views of the last N days need; retire the rest (default: ${DEFAULT-VALUE}).")
  private int keepDays;

  @Option(names = "--force", description = "Rewrite the day even though later full snapshots exist (backfill).")
  private boolean force;

  public AnalysisCompactTool() {
    super(PackedAvro::compressed);
  }

  /** The full snapshot and incrementals to merge, listed once. */
  record Compaction(SnapshotDataset analysis, SnapshotDataset.View inputs, LocalDate date, int keepDays)
      implements DailyPlan {
    @Override
    public Dataset output() {
      return analysis.full();
    }

    @Override
    public LinkedHashMap<String, Object> describe() {
      LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
      plan.put("input", inputs);
      plan.put("output", analysis.full().dayPath(date));
      plan.put("retention", "keep what views of " + date.minusDays(keepDays) + " .. " + date + " read");
      return plan;
    }
  }

  @Override
  protected Compaction plan() throws IOException {
    SnapshotDataset analysis = Catalog.analysis(getConf(), project.get());
    return new Compaction(analysis, analysis.compactionInputs(fs(analysis), date.get()), date.get(), keepDays);
  }

  @Override
  protected boolean ready(Compaction plan) throws IOException {
    SnapshotDataset analysis = plan.analysis();
    LocalDate date = plan.date();
    FileSystem fs = fs(analysis);
    analysis.full().refuseRewriteBeforeLaterDays(fs, date, force);
    if (analysis.full().isPublished(fs, date) && !force) {
      // The day's delivery is itself a full snapshot: it already holds everything, and a merge of the older full
      // and incrementals would replace it with less. Only retention has work to do.
      List<Path> retired = analysis.retire(fs, date, keepDays);
      out.printf("analysis-compact %s: nothing to compact, the day's delivery %s is a full snapshot; retired %d "
          + "folders %s%n", date, analysis.full().dayPath(date), retired.size(), retired);
      return false;
    }
    if (!plan.inputs().fullDay().isPresent()) {
      throw new JobFailedException("no full analysis snapshot before " + date + " in " + analysis.full());
    }
    return true;
  }

  @Override
  protected Flow flow(Pipeline pipeline, Compaction plan) throws IOException {
    return Flow.of(AnalysisMerge.compact(Dataset.readAvro(pipeline, plan.inputs().paths(), AnalysisMerge.ANALYSIS)))
        .reads(plan.inputs().paths().toArray(new Path[0]));
  }

  @Override
  protected String published(Compaction plan, Run run) throws IOException {
    List<Path> retired = plan.analysis().retire(fs(plan.analysis()), plan.date(), keepDays);
    return String.format("(%d tracks from %s: %d records, %s); retired %d folders %s", run.accounting().written(),
        plan.inputs(), run.accounting().in(), run.accounting().skipReasons(), retired.size(), retired);
  }

  private FileSystem fs(SnapshotDataset analysis) throws IOException {
    return analysis.full().path().getFileSystem(getConf());
  }
}
