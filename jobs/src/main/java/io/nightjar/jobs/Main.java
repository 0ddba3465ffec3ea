package io.nightjar.jobs;

import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.UsageException;
import io.nightjar.jobs.ads.AdImpressionsGenerator;
import io.nightjar.jobs.ads.ImpressionsJoinTool;
import io.nightjar.jobs.sensors.SensorAveragesTool;
import io.nightjar.jobs.sensors.SensorReadingsGenerator;
import io.nightjar.jobs.tracks.s3import.PromoteImportTool;
import io.nightjar.jobs.tracks.s3import.S3ImportTool;
import io.nightjar.jobs.tracks.s3import.TrackDocumentsGenerator;
import io.nightjar.jobs.tracks.s3import.UploadDocumentsTool;
import io.nightjar.jobs.tracks.snapshots.AnalysisCompactTool;
import io.nightjar.jobs.tracks.snapshots.AnalysisRetireTool;
import io.nightjar.jobs.tracks.snapshots.AttributesDailyTool;
import io.nightjar.jobs.tracks.snapshots.TrackAnalysisGenerator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;
import org.slf4j.LoggerFactory;

/**
 * The job jar's entry point: {@code hadoop jar nightjar-jobs.jar <tool> [hadoop options] [tool options]}. Without a
 * tool name it lists the tools. Exit status: 0 success, 1 failure (with a one-line reason on stderr; a run of several
 * days or chunks publishes those that succeeded and names the others), 2 usage (the reason, one line, last on
 * stderr).
 */
public final class Main {

  private static final Map<String, Supplier<Tool>> TOOLS = new LinkedHashMap<>();
  private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

  static {
    register("sensor-averages", "Per-sensor daily (hourly, minutely) figures from readings.", SensorAveragesTool::new);
    register("impressions-join", "Ad impressions left-outer-joined with ad metadata, skew-aware, with a skew report.",
        ImpressionsJoinTool::new);
    register("s3-import", "Per-track analysis documents in S3 to packed Avro on HDFS, one chunk at a time.",
        S3ImportTool::new);
    register("promote-import", "Make a finished bulk import (all chunks of one date) the full analysis snapshot.",
        PromoteImportTool::new);
    register("analysis-compact", "Merge the latest full analysis snapshot and later incrementals into a new full.",
        AnalysisCompactTool::new);
    register("analysis-retire", "Delete analysis snapshots and incrementals no reader of the last N days needs.",
        AnalysisRetireTool::new);
    register("attributes-daily", "Today's full track attributes snapshot, computing only new and changed tracks.",
        AttributesDailyTool::new);
    register("upload-documents", "Upload a local folder of documents to an S3 bucket (key = path under the folder).",
        UploadDocumentsTool::new);
    register("show", "Show a published day: schema, record count, first records, quarantine by reason.",
        ShowTool::new);
    register("verify", "Recompute a published day from the inputs its manifest names; say whether it is equal.",
        VerifyTool::new);
    register("status", "Every dataset under the root, one column per day: published, late, failed, flagged.",
        StatusTool::new);
    register("generate-sensor-readings", "Seeded synthetic readings (Avro or CSV) for tests and benchmarks.",
        SensorReadingsGenerator::new);
    register("generate-ad-impressions", "Seeded Zipf-skewed impressions and ad metadata for tests and benchmarks.",
        AdImpressionsGenerator::new);
    register("generate-track-documents", "Seeded per-track analysis documents and their metadata dump (local).",
        TrackDocumentsGenerator::new);
    register("generate-track-analysis", "One day of a seeded track analysis history (full or incremental).",
        TrackAnalysisGenerator::new);
  }

  private Main() {
  }

  private static void register(String name, String description, Supplier<Tool> tool) {
    TOOLS.put(name, tool);
    DESCRIPTIONS.put(name, description);
  }

  /** A new instance of the tool {@code name}, or null when there is no such tool. */
  public static Tool tool(String name) {
    Supplier<Tool> tool = TOOLS.get(name);
    return tool == null ? null : tool.get();
  }

  public static void main(String[] args) {
    Configuration conf = new Configuration();
    // In an Oozie java action the action's <configuration> arrives as this file, not on the classpath.
    String oozieActionConf = System.getProperty("oozie.action.conf.xml");
    if (oozieActionConf != null) {
      conf.addResource(new Path("file:///", oozieActionConf));
    }
    System.exit(run(conf, args));
  }

  /** Runs a tool by name; returns the exit status. */
  public static int run(Configuration conf, String... args) {
    if (args.length == 0 || !TOOLS.containsKey(args[0])) {
      if (args.length > 0 && !args[0].equals("--help") && !args[0].equals("-h")) {
        System.err.println("nightjar: unknown tool '" + args[0] + "'");
      }
      System.err.println("Usage: hadoop jar nightjar-jobs.jar <tool> [-D key=value ...] [options]");
      System.err.println("Tools:");
      DESCRIPTIONS.forEach((name, text) -> System.err.printf("  %-26s %s%n", name, text));
      System.err.println("Run a tool with --help for its options.");
      return args.length == 0 || args[0].equals("--help") || args[0].equals("-h") ? 0 : 2;
    }
    String name = args[0];
    return run(name, TOOLS.get(name), conf, Arrays.copyOfRange(args, 1, args.length));
  }

  /**
   * Runs one tool: whatever escapes it, linkage errors included (a class of the wrong version on the classpath),
   * ends as one line on stderr and exit status 1; the stack trace goes to the log.
   */
  static int run(String name, Supplier<Tool> tool, Configuration conf, String... args) {
    try {
      return ToolRunner.run(conf, tool.get(), args);
    } catch (UsageException e) {
      System.err.println(name + ": " + e.getMessage() + " (try '" + name + " --help')");
      return 2;
    } catch (JobFailedException e) {
      System.err.println(name + " failed: " + e.getMessage());
      return 1;
    } catch (Exception | LinkageError e) {
      LoggerFactory.getLogger(Main.class).error(name + " failed", e);
      Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
      System.err.println(name + " failed: " + cause);
      return 1;
    }
  }
}
