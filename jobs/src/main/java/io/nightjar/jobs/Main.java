package io.nightjar.jobs;

import io.nightjar.common.tool.ToolTable;
import io.nightjar.jobs.ads.ImpressionsJoinTool;
import io.nightjar.jobs.sensors.SensorAveragesTool;
import io.nightjar.jobs.tracks.s3import.PromoteImportTool;
import io.nightjar.jobs.tracks.s3import.S3ImportTool;
import io.nightjar.jobs.tracks.snapshots.AnalysisCompactTool;
import io.nightjar.jobs.tracks.snapshots.AnalysisRetireTool;
import io.nightjar.jobs.tracks.snapshots.AttributesDailyTool;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.util.Tool;

/**
 * The job jar's entry point: {@code hadoop jar nightjar-jobs.jar <tool> [hadoop options] [tool options]}. Without a
 * tool name it lists the tools. Exit status: 0 success, 1 failure (with a one-line reason on stderr; a run of several
 * days or chunks publishes those that succeeded and names the others), 2 usage (the reason, one line, last on
 * stderr). The test-data generators are in the test kit's jar ({@code io.nightjar.testkit.Main}).
 */
public final class Main {

  private static final ToolTable TOOLS = new ToolTable("hadoop jar nightjar-jobs.jar")
      .register("sensor-averages", "Per-sensor daily (hourly, minutely) figures from readings.", SensorAveragesTool::new)
      .register("impressions-join", "Ad impressions left-outer-joined with ad metadata, skew-aware, with a skew report.",
          ImpressionsJoinTool::new)
      .register("s3-import", "Per-track analysis documents in S3 to packed Avro on HDFS, one chunk at a time.",
          S3ImportTool::new)
      .register("promote-import", "Make a finished bulk import (all chunks of one date) the full analysis snapshot.",
          PromoteImportTool::new)
      .register("analysis-compact", "Merge the latest full analysis snapshot and later incrementals into a new full.",
          AnalysisCompactTool::new)
      .register("analysis-retire", "Delete analysis snapshots and incrementals no reader of the last N days needs.",
          AnalysisRetireTool::new)
      .register("attributes-daily", "Today's full track attributes snapshot, computing only new and changed tracks.",
          AttributesDailyTool::new)
      .register("show", "Show a published day: schema, record count, first records, quarantine by reason.",
          ShowTool::new)
      .register("verify", "Recompute a published day from the inputs its manifest names; say whether it is equal.",
          VerifyTool::new)
      .register("status", "Every dataset under the root, one column per day: published, late, failed, flagged.",
          StatusTool::new);

  private Main() {
  }

  /** A new instance of the tool {@code name}, or null when there is no such tool. */
  public static Tool tool(String name) {
    return TOOLS.tool(name);
  }

  public static void main(String[] args) {
    System.exit(run(ToolTable.clientConfiguration(), args));
  }

  /** Runs a tool by name; returns the exit status. */
  public static int run(Configuration conf, String... args) {
    return TOOLS.run(conf, args);
  }

  /** Runs one tool as {@link ToolTable#run(String, Supplier, Configuration, String...)} does. */
  static int run(String name, Supplier<Tool> tool, Configuration conf, String... args) {
    return ToolTable.run(name, tool, conf, args);
  }
}
