package io.nightjar.bench;

import io.nightjar.common.S3Access;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.s3import.DocumentUploader;
import io.nightjar.s3server.LoopbackS3;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * s3-import (one map task, MapReduce in local mode) against the loopback S3 server, beside (a) a sequential GET loop
 * and (b) the server's ceiling measured with the plain SDK client and 16 threads, in one run on the same objects.
 */
@Command(name = "s3-import-bench", mixinStandardHelpOptions = true)
public final class S3ImportBench implements Callable<Integer> {

  @Option(names = "--objects", defaultValue = "100000")
  private int objects;

  @Option(names = "--padding", defaultValue = "1700", description = "Extra bytes per document (~2 KB objects).")
  private int padding;

  @Option(names = "--sequential-sample", defaultValue = "10000", description = "GETs for the sequential loop.")
  private int sequentialSample;

  @Option(names = "--in-flight", defaultValue = "32")
  private int inFlight;

  @Option(names = "--work-dir", defaultValue = "target/s3-import-bench")
  private File workDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new S3ImportBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(workDir);
    Configuration conf = BenchSupport.localConf(workDir, 1);
    File documents = new File(workDir, "documents");
    BenchSupport.check(Main.run(conf, "generate-track-documents", "--output", documents.getAbsolutePath(), "--tracks",
        Integer.toString(objects), "--absent", "0", "--corrupt", "0", "--padding", Integer.toString(padding)));
    try (LoopbackS3 s3 = LoopbackS3.start(null)) {
      conf.set(S3Access.ENDPOINT, s3.endpoint());
      conf.setBoolean(S3Access.PATH_STYLE, true);
      conf.set(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY);
      conf.set(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY);
      List<String> keys = new ArrayList<>();
      for (int t = 0; t < objects; t++) {
        keys.add(String.format("analysis/track-%06d.json", t));
      }
      try (S3Client client = S3Access.client(conf, 32)) {
        long start = System.nanoTime();
        DocumentUploader.upload(client, "analysis", new File(documents, "documents"));
        System.out.printf("uploaded %,d objects in %.1f s%n", objects, (System.nanoTime() - start) / 1e9);

        double sequential = rate(() -> {
          for (String key : keys.subList(0, Math.min(sequentialSample, keys.size()))) {
            client.getObjectAsBytes(b -> b.bucket("analysis").key(key)).asByteArray();
          }
          return Math.min(sequentialSample, keys.size());
        });
        double ceiling = rate(() -> parallelGets(client, keys, 16));

        long start2 = System.nanoTime();
        BenchSupport.check(Main.run(new Configuration(conf), "s3-import", "-D", "nightjar.quarantine.max-fraction=0.1",
            "--date", "2016-05-01", "--dump", new File(documents, "metadata-dump.tsv").getAbsolutePath(),
            "--bucket", "analysis", "--in-flight", Integer.toString(inFlight), "--target-file-mb", "1024"));
        double importSeconds = (System.nanoTime() - start2) / 1e9;
        double imported = objects / importSeconds;

        File out = new File(workDir, "root/tracks/analysis-import/chunk-0-of-1/2016-05-01");
        List<String> files = new ArrayList<>();
        for (File f : out.listFiles((d, n) -> n.endsWith(".avro"))) {
          files.add(String.format("%s %,d bytes", f.getName(), f.length()));
        }
        System.out.printf("%n%,d objects of ~%d bytes on loopback S3%n", objects, padding + 300);
        System.out.printf("%-58s %12s %10s%n", "", "objects/s", "vs loop");
        System.out.printf("%-58s %,12.0f %10.1f%n", "(a) sequential GET loop (SDK, 1 thread, " + sequentialSample
            + " GETs)", sequential, 1.0);
        System.out.printf("%-58s %,12.0f %10.1f%n", "(b) server ceiling (SDK, 16 threads)", ceiling,
            ceiling / sequential);
        System.out.printf("%-58s %,12.0f %10.1f%n", "s3-import, 1 map task, " + inFlight + " in flight (whole tool)",
            imported, imported / sequential);
        System.out.printf("import / ceiling = %.2f (goal >= 0.70); import / loop = %.1f (goal >= 10); output: %s%n",
            imported / ceiling, imported / sequential, files);
      }
    }
    return 0;
  }

  private static int parallelGets(S3Client client, List<String> keys, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> gets = new ArrayList<>();
      for (String key : keys) {
        gets.add(pool.submit(() -> client.getObjectAsBytes(b -> b.bucket("analysis").key(key)).asByteArray()));
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
