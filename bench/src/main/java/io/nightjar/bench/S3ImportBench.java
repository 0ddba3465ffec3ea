package io.nightjar.bench;

import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.common.s3.S3Access;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.tracks.s3import.AnalysisDocuments;
import io.nightjar.jobs.tracks.snapshots.PackedAvro;
import io.nightjar.s3server.LoopbackS3;
import io.nightjar.testkit.tracks.DocumentUploader;
import io.nightjar.testkit.tracks.SyntheticAnalysis;
import java.io.File;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * s3-import (one map task, MapReduce in local mode: download, parse the whole document, write packed Avro) against the
 * loopback S3 server (objects on its local disk) answering each request {@code --latency-ms} late, as a remote S3
 * does, beside (a) a sequential GET loop and (b) the plain SDK client with as many threads as the import has requests
 * in flight (GET only, no parsing), and (c) the same with each document parsed as s3-import does (no Hadoop, no
 * writing), in one run on the same real-layout documents; objects/s and MB/s of JSON, each the median and the best
 * (least time) of {@code --repeat} runs, the ratios of both, and the CPU time of this JVM (the client's: the server
 * runs in its own) per document.
 */
@Command(name = "s3-import-bench", mixinStandardHelpOptions = true)
public final class S3ImportBench implements Callable<Integer> {

  @Option(names = "--objects", defaultValue = "2000")
  private int objects;

  @Option(names = "--segments", defaultValue = "400", description = "Segments per document (400: ~210 KB of JSON).")
  private int segments;

  @Option(names = "--sequential-sample", defaultValue = "100", description = "GETs for the sequential loop.")
  private int sequentialSample;

  @Option(names = "--in-flight", defaultValue = "32", description = "Requests in flight: the import's --in-flight, and "
      + "the threads of (b) and (c).")
  private int inFlight;

  @Option(names = "--latency-ms", defaultValue = "30", description = "Time the server waits before it answers each "
      + "request (0: none).")
  private long latencyMs;

  @Option(names = "--large-document-mb", defaultValue = "16", description = "Then the smallest heap an import needs "
      + "with one document of this size among others, against the same import without it, each its own JVM (0: skip; "
      + "default: ${DEFAULT-VALUE}).")
  private int largeDocumentMb;

  @Mixin
  private final BenchOptions bench = new BenchOptions("target/s3-import-bench", 3);


  public static void main(String[] args) {
    System.exit(new CommandLine(new S3ImportBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(bench.workDir());
    Configuration conf = BenchSupport.localConf(bench.workDir(), 1);
    // The generated dump always holds two malformed lines (quarantined): above 1% of a small run's records.
    conf.setDouble(RecordAccounting.MAX_QUARANTINE_FRACTION_KEY, 0.5);
    File documents = new File(bench.workDir(), "documents");
    BenchSupport.check(io.nightjar.testkit.Main.run(conf, "generate-track-documents", "--output", documents.getAbsolutePath(), "--tracks",
        Integer.toString(objects), "--absent", "0", "--corrupt", "0", "--segments", Integer.toString(segments)));
    long jsonBytes = 0;
    for (File f : new File(documents, "documents/analysis").listFiles()) {
      jsonBytes += f.length();
    }
    double meanBytes = jsonBytes / (double) objects;
    try (LoopbackS3 s3 = LoopbackS3.startWithLatency(new File(bench.workDir(), "s3"), latencyMs)) {
      BenchSupport.withLoopbackS3(conf, s3);
      List<String> keys = new ArrayList<>();
      for (int t = 0; t < objects; t++) {
        keys.add(String.format("analysis/track-%06d.json", t));
      }
      try (S3Client client = S3Access.client(conf, 32)) {
        long start = System.nanoTime();
        DocumentUploader.upload(client, "analysis", new File(documents, "documents"));
        System.out.printf("uploaded %,d objects (%,.0f bytes on average) in %.1f s%n", objects, meanBytes,
            (System.nanoTime() - start) / 1e9);
        List<String> sample = keys.subList(0, Math.min(sequentialSample, keys.size()));
        parallelGets(client, keys, inFlight, true); // warm the server's file cache and both JVMs up
        importAll(conf, documents, "2016-04-30"); // and the import's own code: every row's runs are warm
        int repeat = bench.repeat();
        double[] sequential = new double[repeat];
        double[] importCpuMs = new double[repeat];
        double[] parseCpuMs = new double[repeat];
        double[] getCpuMs = new double[repeat];
        double[] ceiling = new double[repeat];
        double[] imported = new double[repeat];
        double[] parsed = new double[repeat];
        for (int r = 0; r < repeat; r++) {
          sequential[r] = rate(() -> {
            for (String key : sample) {
              client.getObjectAsBytes(b -> b.bucket("analysis").key(key)).asByteArray();
            }
            return sample.size();
          });
          long cpu = BenchSupport.processCpuNanos();
          ceiling[r] = rate(() -> parallelGets(client, keys, inFlight, false));
          getCpuMs[r] = (BenchSupport.processCpuNanos() - cpu) / 1e6 / objects;
          cpu = BenchSupport.processCpuNanos();
          parsed[r] = rate(() -> parallelGets(client, keys, inFlight, true));
          parseCpuMs[r] = (BenchSupport.processCpuNanos() - cpu) / 1e6 / objects;
          String date = "2016-05-0" + (r + 1); // a new day each run: nothing carried over
          cpu = BenchSupport.processCpuNanos();
          long started = System.nanoTime();
          importAll(conf, documents, date);
          imported[r] = objects / ((System.nanoTime() - started) / 1e9);
          importCpuMs[r] = (BenchSupport.processCpuNanos() - cpu) / 1e6 / objects;
        }
        File out = new File(bench.workDir(), "root/tracks/analysis-import/chunk-0-of-1/2016-05-01");
        long packed = 0;
        for (File f : out.listFiles((d, n) -> n.endsWith(".avro"))) {
          packed += f.length();
        }
        double seq = BenchSupport.median(sequential);
        double ceil = BenchSupport.median(ceiling);
        double imp = BenchSupport.median(imported);
        double par = BenchSupport.median(parsed);
        double bestSeq = BenchSupport.max(sequential);
        System.out.printf("%n%,d real-layout documents of %d segments, %,.0f bytes of JSON on average, on loopback "
            + "S3 answering %d ms late; %d runs of each: median, and best (the run of least time)%n", objects, segments,
            meanBytes, latencyMs, repeat);
        System.out.printf("%-58s %10s %10s %8s %8s %8s%n", "", "objects/s", "best", "MB/s", "vs loop", "best");
        row("(a) sequential GET loop (SDK, 1 thread, " + sample.size() + " GETs)", sequential, seq, bestSeq, meanBytes);
        row("(b) GET only (SDK, " + inFlight + " threads)", ceiling, seq, bestSeq, meanBytes);
        row("(c) GET and parse (SDK, " + inFlight + " threads, no Hadoop)", parsed, seq, bestSeq, meanBytes);
        row("s3-import, 1 map task, " + inFlight + " in flight (whole tool)", imported, seq, bestSeq, meanBytes);
        System.out.printf("runs (objects/s): loop %s, ceiling %s, get+parse %s, import %s%n", BenchSupport.runs(sequential, "%,.0f"),
            BenchSupport.runs(ceiling, "%,.0f"), BenchSupport.runs(parsed, "%,.0f"), BenchSupport.runs(imported, "%,.0f"));
        System.out.printf("client CPU per document (ms): import %s (median %.2f), get+parse %s (median %.2f), GET only "
                + "%s (median %.2f)%n", BenchSupport.runs(importCpuMs, "%.2f"), BenchSupport.median(importCpuMs), BenchSupport.runs(parseCpuMs, "%.2f"),
            BenchSupport.median(parseCpuMs), BenchSupport.runs(getCpuMs, "%.2f"), BenchSupport.median(getCpuMs));
        System.out.printf("import / GET only = %.2f median, %.2f best (goal >= 0.80); import / loop = %.1f median, "
            + "%.1f best (goal >= 15); import / (get and parse) = %.2f median, %.2f best%n", imp / ceil,
            BenchSupport.max(imported) / BenchSupport.max(ceiling), imp / seq, BenchSupport.max(imported) / bestSeq,
            imp / par, BenchSupport.max(imported) / BenchSupport.max(parsed));
        System.out.printf("packed: %,d bytes per track (%s Avro) against %,.0f of JSON (%.0f%%)%n", packed / objects,
            PackedAvro.CODEC, meanBytes, 100.0 * packed / jsonBytes);
        if (largeDocumentMb > 0) {
          peakHeap(client, s3, new File(documents, "metadata-dump.tsv"), meanBytes);
        }
      }
    }
    return 0;
  }

  /**
   * The task memory an import needs with one document of {@code --large-document-mb} in flight among others, against
   * the same import without it: the smallest heap ({@code -Xmx}, to 8 MB, serial collector) with which the whole tool,
   * run as its own JVM in local mode (the map task runs in it), imports every document of the first
   * {@value #HEAP_DOCUMENTS} of the dump, found by bisection; the planning job's sort buffer at 8 MB.
   */
  private void peakHeap(S3Client client, LoopbackS3 s3, File dump, double meanBytes) throws Exception {
    Random random = new Random(1);
    int segments = (int) (largeDocumentMb * 1e6 / (meanBytes / this.segments));
    byte[] large = SyntheticAnalysis.toJson(null, SyntheticAnalysis.generate(random, segments), random, false);
    client.putObject(b -> b.bucket("analysis").key("analysis/track-large.json"), RequestBody.fromBytes(large));
    int documents = Math.min(HEAP_DOCUMENTS, objects);
    List<String> lines = new ArrayList<>(Files.readAllLines(dump.toPath()).subList(0, documents));
    File without = new File(bench.workDir(), "metadata-dump-heap.tsv");
    Files.write(without.toPath(), lines);
    lines.add(lines.size() / 2, "track-large\tanalysis/track-large.json");
    File with = new File(bench.workDir(), "metadata-dump-heap-with-large.tsv");
    Files.write(with.toPath(), lines);
    Map<String, String> settings = BenchSupport.localSettings(bench.workDir(), 1);
    // The planning job's map sort buffer (100 MB at Hadoop's default) would set the smallest heap by itself: at 8 MB
    // the download's own need shows.
    settings.put("mapreduce.task.io.sort.mb", "8");
    settings.putAll(BenchSupport.loopbackS3Settings(s3));
    int withoutMb = smallestHeapMb(settings, without, documents);
    int withMb = smallestHeapMb(settings, with, documents + 1);
    System.out.printf("smallest heap that imports %,d documents, %d in flight (the whole tool, its own JVM): %,d MB; "
            + "with one more of %,d bytes of JSON (%d segments) among them: %,d MB (+%,d MB)%n", documents,
        inFlight, withoutMb, large.length, segments, withMb, withMb - withoutMb);
  }

  /** Documents of the heap runs. */
  private static final int HEAP_DOCUMENTS = 500;
  private int heapRuns;

  /** The smallest -Xmx, in MB to 8, with which s3-import of {@code dump} publishes all its {@code documents}. */
  private int smallestHeapMb(Map<String, String> settings, File dump, int documents) throws Exception {
    int fails = 16;
    int passes = 1024;
    if (!imports(settings, dump, documents, passes)) {
      throw new IllegalStateException("s3-import of " + dump + " fails even with " + passes + " MB of heap");
    }
    while (passes - fails > 8) {
      int mb = (fails + passes) / 2;
      if (imports(settings, dump, documents, mb)) {
        passes = mb;
      } else {
        fails = mb;
      }
    }
    return passes;
  }

  private boolean imports(Map<String, String> settings, File dump, int documents, int heapMb) throws Exception {
    String name = "import-heap-" + (++heapRuns);
    String date = LocalDate.parse("2016-06-01").plusDays(heapRuns).toString(); // nothing carried over
    try {
      BenchSupport.runTool(bench.workDir(), List.of("-Xmx" + heapMb + "m", "-XX:+UseSerialGC"), settings, name,
          "s3-import", "--date", date, "--dump", dump.getAbsolutePath(), "--bucket", "analysis", "--in-flight",
          Integer.toString(inFlight));
    } catch (IllegalStateException failed) {
      return false;
    }
    Matcher published = Pattern.compile(": ([0-9]+) tracks \\(").matcher(
        Files.readString(BenchSupport.log(bench.workDir(), name).toPath()));
    if (!published.find() || Integer.parseInt(published.group(1)) != documents) {
      throw new IllegalStateException(name + " did not import all " + documents + " documents (see its log)");
    }
    return true;
  }

  /** s3-import of the whole dump as one chunk and one map task, on a day of its own. */
  private void importAll(Configuration conf, File documents, String date) throws Exception {
    BenchSupport.check(Main.run(new Configuration(conf), "s3-import", "--date", date, "--dump",
        new File(documents, "metadata-dump.tsv").getAbsolutePath(), "--bucket", "analysis", "--in-flight",
        Integer.toString(inFlight), "--target-file-mb", "1024"));
  }

  /** One table row: median and best rate, MB/s of the median, and both against the loop's median and best. */
  private static void row(String label, double[] rates, double loopMedian, double loopBest, double meanBytes) {
    double median = BenchSupport.median(rates);
    double best = BenchSupport.max(rates);
    System.out.printf("%-58s %,10.0f %,10.0f %8.1f %8.1f %8.1f%n", label, median, best, median * meanBytes / 1e6,
        median / loopMedian, best / loopBest);
  }

  /** GETs every key with {@code threads} threads; with {@code parse}, parses each document as s3-import does. */
  private static int parallelGets(S3Client client, List<String> keys, int threads, boolean parse) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong bytes = new AtomicLong();
    try {
      List<Future<?>> gets = new ArrayList<>();
      for (String key : keys) {
        gets.add(pool.submit(() -> {
          byte[] body = client.getObjectAsBytes(b -> b.bucket("analysis").key(key)).asByteArray();
          if (parse) {
            AnalysisDocuments.parse(key.replaceAll(".*/(.*)\\.json", "$1"), body);
          }
          return bytes.addAndGet(body.length);
        }));
      }
      for (Future<?> get : gets) {
        get.get();
      }
      return keys.size();
    } finally {
      pool.shutdownNow();
    }
  }

  private static double rate(Callable<Integer> work) throws Exception {
    long start = System.nanoTime();
    int n = work.call();
    return n / ((System.nanoTime() - start) / 1e9);
  }
}
