package io.nightjar.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;

/**
 * The storage users have, for a benchmark: an HDFS (a NameNode and one DataNode, {@code MiniHadoopClusterManager
 * -nomr} on Hadoop 3.3.6's own jars from {@code hadoop-dist/3.3.6/target/cluster}) running as a process of its own,
 * so that what the NameNode and DataNode spend is not counted in any run's process, as on a cluster. nightjar and
 * Spark both read their input from it and write their output to it through {@code hdfs://}; nightjar's runs also
 * take it as their default file system ({@link #settings}), as a cluster's configuration gives it.
 */
final class BenchHdfs implements AutoCloseable {

  /** Where the cluster process's jars are, if not {@code ../hadoop-dist/3.3.6/target/cluster} (from {@code bench/}). */
  static final String JARS_KEY = "nightjar.bench.hdfs.jars";
  /** What Hadoop 3.3.6's daemons need opened on Java 17 (the root pom's {@code java17.opens}). */
  private static final String[] OPENS = {"--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED",
      "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED",
      "--add-opens", "java.base/java.net=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"};

  private final Process process;
  private final Thread stop;
  private final String uri;
  private final FileSystem fs;

  private BenchHdfs(Process process, Thread stop, String uri, FileSystem fs) {
    this.process = process;
    this.stop = stop;
    this.uri = uri;
    this.fs = fs;
  }

  /** Formats and starts an HDFS under {@code workDir/hdfs}; its log is {@code workDir/hdfs/hdfs.log}. */
  static BenchHdfs start(File workDir) throws IOException, InterruptedException {
    File jars = new File(System.getProperty(JARS_KEY, "../hadoop-dist/3.3.6/target/cluster"));
    if (!jars.isDirectory()) {
      throw new IllegalStateException("no HDFS jars in " + jars.getAbsolutePath()
          + ": build hadoop-dist/3.3.6 first (the -Pbench command builds it)");
    }
    File dir = new File(workDir, "hdfs").getAbsoluteFile();
    FileUtil.fullyDelete(dir);
    dir.mkdirs();
    File written = new File(dir, "cluster-config.xml");
    String port = freePort();
    List<String> command = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-Xmx2g"));
    command.addAll(Arrays.asList(OPENS));
    command.addAll(List.of("-Dtest.build.data=" + new File(dir, "data"), "-Dhadoop.log.dir=" + new File(dir, "logs"),
        "-cp", jars.getAbsolutePath() + "/*", "org.apache.hadoop.mapreduce.MiniHadoopClusterManager",
        "-nomr", "-format", "-datanodes", "1", "-nnport", port, "-writeConfig", written.getPath()));
    File log = new File(dir, "hdfs.log");
    Process process = new ProcessBuilder(command).directory(dir).redirectErrorStream(true).redirectOutput(log).start();
    Thread stop = new Thread(process::destroyForcibly, "stop-bench-hdfs"); // a killed benchmark leaves no HDFS behind
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!complete(written)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          List<String> lines = Files.readAllLines(log.toPath(), StandardCharsets.UTF_8);
          throw new IllegalStateException("HDFS did not start (" + log + "):\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        }
        Thread.sleep(200);
      }
      String uri = "hdfs://localhost:" + port;
      return new BenchHdfs(process, stop, uri, FileSystem.newInstance(new Path(uri).toUri(), new Configuration()));
    } catch (IOException | InterruptedException | RuntimeException e) {
      process.destroyForcibly();
      Runtime.getRuntime().removeShutdownHook(stop);
      throw e;
    }
  }

  /** {@code hdfs://localhost:<port>}. */
  String uri() {
    return uri;
  }

  /** {@code path} (absolute) on this HDFS. */
  Path path(String path) {
    return new Path(uri + path);
  }

  /** The benchmark's client of this HDFS (its own instance, closed with it). */
  FileSystem fs() {
    return fs;
  }

  /** What a nightjar run on this HDFS adds to its settings: the default file system. */
  Map<String, String> settings() {
    return Map.of(FileSystem.FS_DEFAULT_NAME_KEY, uri);
  }

  /** Copies a local file or folder to {@code path} on this HDFS. */
  Path put(File local, String path) throws IOException {
    Path target = path(path);
    fs.copyFromLocalFile(false, true, new Path(local.getAbsolutePath()), target);
    return target;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      fs.close();
    } finally {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      Runtime.getRuntime().removeShutdownHook(stop);
    }
  }

  private static boolean complete(File written) throws IOException {
    return written.isFile() && Files.readString(written.toPath()).strip().endsWith("</configuration>");
  }

  private static String freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return Integer.toString(socket.getLocalPort());
    }
  }
}
