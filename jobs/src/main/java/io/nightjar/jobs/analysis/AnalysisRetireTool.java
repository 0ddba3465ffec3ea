package io.nightjar.jobs.analysis;

import io.nightjar.common.NightjarTool;
import io.nightjar.common.SnapshotDataset;
import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code analysis-retire}: deletes analysis fulls and incrementals that no view of the last {@code --keep-days} days
 * needs. {@code analysis-compact} does this after publishing; run it daily too, so what a compaction made obsolete
 * goes once the retention window has passed.
 */
@Command(name = "analysis-retire", sortOptions = false,
    description = "Delete analysis snapshots and incrementals no reader of the last N days needs.")
public final class AnalysisRetireTool extends NightjarTool {

  @Option(names = "--date", required = true, paramLabel = "yyyy-MM-dd", description = "Today.")
  private LocalDate date;

  @Option(names = "--project", defaultValue = "tracks", description = "Project folder (default: ${DEFAULT-VALUE}).")
  private String project;

  @Option(names = "--keep-days", defaultValue = "1",
      description = "Keep what the views of the last N days need (default: ${DEFAULT-VALUE}).")
  private int keepDays;

  @Override
  protected LinkedHashMap<String, Object> plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("analysis", SnapshotDataset.of(getConf(), project, "analysis").full().path().getParent());
    plan.put("keep", "what views of " + date.minusDays(keepDays) + " .. " + date + " read");
    return plan;
  }

  @Override
  protected int execute() throws IOException {
    SnapshotDataset analysis = SnapshotDataset.of(getConf(), project, "analysis");
    List<Path> retired = analysis.retire(analysis.full().path().getFileSystem(getConf()), date, keepDays);
    out.printf("analysis-retire %s: retired %d folders %s%n", date, retired.size(), retired);
    return 0;
  }
}
