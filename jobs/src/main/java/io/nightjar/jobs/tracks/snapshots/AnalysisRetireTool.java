package io.nightjar.jobs.tracks.snapshots;

import io.nightjar.common.dataset.SnapshotDataset;
import io.nightjar.common.tool.DayOption;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import io.nightjar.common.tool.ProjectOption;
import io.nightjar.jobs.Catalog;
import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code analysis-retire}: deletes analysis fulls and incrementals that no view of the last {@code --keep-days} days
 * needs. {@code analysis-compact} does this after publishing; run it daily too, so what a compaction made obsolete
 * goes once the retention window has passed.
 */
@Command(name = "analysis-retire", sortOptions = false,
    description = "Delete analysis snapshots and incrementals no reader of the last N days needs.")
public final class AnalysisRetireTool extends NightjarTool<Plan> {

  @Mixin
  private DayOption date;

  @Mixin
  private final ProjectOption project = new ProjectOption(Catalog.TRACKS);

  @Option(names = "--keep-days", defaultValue = "1",
      description = "Keep what the views of the last N days need (default: ${DEFAULT-VALUE}).")
  private int keepDays;

  @Override
  protected Plan plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("analysis", Catalog.analysis(getConf(), project.get()).full().path().getParent());
    plan.put("keep", "what views of " + date.get().minusDays(keepDays) + " .. " + date.get() + " read");
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws IOException {
    SnapshotDataset analysis = Catalog.analysis(getConf(), project.get());
    List<Path> retired = analysis.retire(analysis.full().path().getFileSystem(getConf()), date.get(), keepDays);
    out.printf("analysis-retire %s: retired %d folders %s%n", date.get(), retired.size(), retired);
    return 0;
  }
}
