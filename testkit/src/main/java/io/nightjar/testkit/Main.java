package io.nightjar.testkit;

import io.nightjar.common.tool.ToolTable;
import io.nightjar.testkit.ads.AdImpressionsGenerator;
import io.nightjar.testkit.sensors.SensorReadingsGenerator;
import io.nightjar.testkit.tracks.TrackAnalysisGenerator;
import io.nightjar.testkit.tracks.TrackDocumentsGenerator;
import io.nightjar.testkit.tracks.UploadDocumentsTool;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.util.Tool;

/**
 * The test kit's entry point: seeded test data for the demo, the tests and the benchmarks, never shipped in the job
 * jar. Its jar ({@code testkit/target/nightjar-testkit.jar}) holds only these classes, relocated as the job jar's, so
 * it runs beside the job jar: {@code HADOOP_CLASSPATH=nightjar-jobs.jar hadoop jar nightjar-testkit.jar <tool>
 * [hadoop options] [tool options]}. Without a tool name it lists the tools; exit status as the job jar's.
 */
public final class Main {

  private static final ToolTable TOOLS =
      new ToolTable("HADOOP_CLASSPATH=nightjar-jobs.jar hadoop jar nightjar-testkit.jar")
      .register("generate-sensor-readings", "Seeded synthetic readings (Avro or CSV) for tests and benchmarks.",
          SensorReadingsGenerator::new)
      .register("generate-ad-impressions", "Seeded Zipf-skewed impressions and ad metadata for tests and benchmarks.",
          AdImpressionsGenerator::new)
      .register("generate-track-documents", "Seeded per-track analysis documents and their metadata dump (local).",
          TrackDocumentsGenerator::new)
      .register("generate-track-analysis", "One day of a seeded track analysis history (full or incremental).",
          TrackAnalysisGenerator::new)
      .register("upload-documents", "Upload a local folder of documents to an S3 bucket (key = path under the folder).",
          UploadDocumentsTool::new);

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
}
