package io.nightjar.bench;

import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.common.s3.S3Access;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.tracks.s3import.ImportSizing;
import io.nightjar.s3server.LoopbackS3;
import io.nightjar.testkit.tracks.DocumentUploader;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Checks the import projection ({@link ImportSizing}, what {@code s3-import --dry-run} prints) against a run at a
 * larger scale: one task's rate and a chunk's fixed cost are measured on two small imports (a chunk of the small and
 * of the large dump's size), then {@code --documents} are projected in {@code --chunks} chunks and imported, all
 * through the loopback S3 answering {@code --latency-ms} late. Prints the projection, the measured time and their
 * ratio (goal: within 20%).
 */
@Command(name = "import-projection-bench", mixinStandardHelpOptions = true)
public final class ImportProjectionBench implements Callable<Integer> {

  /** s3-import's --expected-document-bytes default, which splits a chunk into tasks, as the projection is given it. */
  private static final long EXPECTED_DOCUMENT_BYTES = 100_000;

  @Option(names = "--documents", defaultValue = "20000")
  private int documents;

  @Option(names = "--chunks", defaultValue = "4")
  private int chunks;

  @Option(names = "--segments", defaultValue = "100", description = "Segments a document (100: about 50 KB of JSON).")
  private int segments;

  @Option(names = "--in-flight", defaultValue = "32")
  private int inFlight;

  @Option(names = "--latency-ms", defaultValue = "30")
  private long latencyMs;

  @Option(names = "--map-slots", defaultValue = "1", description = "Local map slots of every run, as the projection "
      + "is given them: with 2, a chunk's two tasks run side by side (default: ${DEFAULT-VALUE}).")
  private int mapSlots;

  @Mixin
  private final BenchOptions bench = new BenchOptions("target/import-projection-bench", 1);

  public static void main(String[] args) {
    System.exit(new CommandLine(new ImportProjectionBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(bench.workDir());
    Configuration conf = BenchSupport.localConf(bench.workDir(), mapSlots);
    conf.setDouble(RecordAccounting.MAX_QUARANTINE_FRACTION_KEY, 0.5); // the generated dump's 2 malformed lines
    File generated = new File(bench.workDir(), "documents");
    BenchSupport.check(io.nightjar.testkit.Main.run(conf, "generate-track-documents", "--output",
        generated.getAbsolutePath(), "--tracks", Integer.toString(documents), "--absent", "0", "--corrupt", "0",
        "--segments", Integer.toString(segments)));
    long jsonBytes = 0;
    for (File f : new File(generated, "documents/analysis").listFiles()) {
      jsonBytes += f.length();
    }
    long meanBytes = jsonBytes / documents;
    File dump = new File(generated, "metadata-dump.tsv");
    try (LoopbackS3 s3 = LoopbackS3.startWithLatency(new File(bench.workDir(), "s3"), latencyMs)) {
      BenchSupport.withLoopbackS3(conf, s3);
      try (S3Client client = S3Access.client(conf, 32)) {
        DocumentUploader.upload(client, "analysis", new File(generated, "documents"));
      }
      // Calibration: one chunk of an eighth of the dump (one map task: the largest chunk s3-import gives one task at
      // its default --expected-document-bytes) and one of a fortieth (a chunk's ids are those whose hash falls to it,
      // so the sizes are the chunks' own), each timed as a whole tool run, the median of 3, after an untimed run. The
      // difference is one task's time a document, the rest a chunk's fixed cost.
      int smallChunks = 40;
      int largeChunks = 8;
      timedImport(conf, dump, "2016-04-30", smallChunks, 1); // warms the JVM up, as the scaled run's chunks find it
      double[] smallRuns = new double[3];
      double[] largeRuns = new double[3];
      for (int r = 0; r < 3; r++) {
        smallRuns[r] = timedImport(conf, dump, "2016-05-0" + (1 + r), smallChunks, 0);
        largeRuns[r] = timedImport(conf, dump, "2016-05-0" + (1 + r), largeChunks, 0);
      }
      double small = BenchSupport.median(smallRuns);
      double large = BenchSupport.median(largeRuns);
      System.out.printf("calibration runs (s): a fortieth %s, an eighth %s%n", BenchSupport.runs(smallRuns, "%.2f"),
          BenchSupport.runs(largeRuns, "%.2f"));
      double perDocument = (large - small) / ((double) documents / largeChunks - (double) documents / smallChunks);
      double fixed = small - perDocument * documents / smallChunks;
      double cpuMsPerMb = perDocument * 1000 / (meanBytes / 1e6); // wall ms a megabyte of one task on this machine
      ImportSizing projection = new ImportSizing(documents, meanBytes, EXPECTED_DOCUMENT_BYTES, chunks, fixed,
          mapSlots, inFlight, latencyMs, cpuMsPerMb, ImportSizing.TASK_MB_PER_SECOND, ImportSizing.PACKED_FRACTION,
          256L << 20, 1);
      double measured = 0;
      for (int chunk = 0; chunk < chunks; chunk++) {
        measured += timedImport(conf, dump, "2016-05-04", chunks, chunk);
      }
      System.out.printf("%ncalibration: a chunk of %,d documents %.1f s, of %,d documents %.1f s: %.2f ms a document "
              + "(%,d bytes of JSON), %.1f s fixed a chunk%n", documents / smallChunks, small, documents / largeChunks,
          large, perDocument * 1000, meanBytes, fixed);
      projection.lines().forEach(line -> System.out.println("projection: " + line));
      System.out.printf("%,d documents in %d chunks, one after another, %d map slot(s): projected %.1f s, measured "
          + "%.1f s, measured / projected %.2f (goal: 0.80 to 1.20)%n", documents, chunks, mapSlots,
          projection.seconds(), measured, measured / projection.seconds());
    }
    return 0;
  }

  private double timedImport(Configuration conf, File dump, String date, int chunks, int chunk) {
    List<String> args = new ArrayList<>(List.of("s3-import", "--date", date, "--dump", dump.getAbsolutePath(),
        "--bucket", "analysis", "--in-flight", Integer.toString(inFlight), "--chunks", Integer.toString(chunks),
        "--chunk", Integer.toString(chunk)));
    long start = System.nanoTime();
    BenchSupport.check(Main.run(new Configuration(conf), args.toArray(new String[0])));
    return (System.nanoTime() - start) / 1e9;
  }
}
