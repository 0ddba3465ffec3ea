package io.nightjar.hadoopjar;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One installed Hadoop version as a user meets it: a single-node cluster (HDFS, YARN, JobHistory) running as its own
 * process ({@code MiniHadoopClusterManager}), and a {@code hadoop jar} client that is a separate JVM running
 * {@code org.apache.hadoop.util.RunJar} with only the client configuration folder and that version's Hadoop jars on
 * its classpath, as the {@code hadoop} script does. Containers are given the same jars through
 * {@code yarn.application.classpath} (with {@code yarn.is.minicluster=false}, so they do not inherit the cluster
 * process's classpath) and an empty {@code mapreduce.application.classpath}: what they load besides Hadoop comes
 * from the job jar.
 *
 * <p>The jars come from {@code hadoop-dist/<version>/target/hadoop} (Hadoop's own jars and their dependencies, its
 * Avro and Guava among them); the cluster process also needs the test jars in {@code target/cluster}.
 */
final class SingleNodeHadoop implements AutoCloseable {

  /** The JVM options a Java 17 cluster gives its MapReduce application masters and tasks (mapred-site.xml). */
  static final String JAVA17_OPENS = System.getProperty("nightjar.java17Opens");
  /**
   * For the short-lived JVMs (the {@code hadoop jar} client, application masters, tasks): the C1 compiler only and the
   * serial collector, so that two clusters side by side on 2 cores spend their CPU on the jobs, not on C2 compiling
   * code that runs for seconds. What the JVMs run is unchanged.
   */
  static final String SHORT_LIVED_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  final String version;
  private final File hadoopJars;
  private final File work;
  private final File confDir;
  private final Process cluster;
  private final Configuration conf;

  private SingleNodeHadoop(String version, File hadoopJars, File work, File confDir, Process cluster,
      Configuration conf) {
    this.version = version;
    this.hadoopJars = hadoopJars;
    this.work = work;
    this.confDir = confDir;
    this.cluster = cluster;
    this.conf = conf;
  }

  /** Starts the cluster of {@code hadoop-dist/<version>} and writes the client configuration folder. */
  static SingleNodeHadoop start(String version) throws Exception {
    File dist = new File(System.getProperty("nightjar.hadoopDists"), version + "/target");
    File hadoopJars = new File(dist, "hadoop");
    File clusterJars = new File(dist, "cluster");
    assertTrue("build hadoop-dist/" + version + " first (mvn package)", hadoopJars.isDirectory()
        && clusterJars.isDirectory());
    File work = Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "hadoop-" + version + "-").toFile();
    File confDir = new File(work, "conf");
    assertTrue(confDir.mkdirs());
    File written = new File(work, "cluster-config.xml");

    List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g"));
    command.addAll(Arrays.asList(JAVA17_OPENS.split(" ")));
    command.addAll(List.of("-Dtest.build.data=" + new File(work, "data"), "-Dhadoop.log.dir=" + new File(work, "logs"),
        "-cp", clusterJars + "/*", "org.apache.hadoop.mapreduce.MiniHadoopClusterManager",
        "-format", "-datanodes", "1", "-nodemanagers", "1",
        "-nnport", port(), "-rmport", port(), "-jhsport", port(), "-writeConfig", written.getPath()));
    for (String setting : clusterSettings(hadoopJars, confDir)) {
      command.add("-D");
      command.add(setting);
    }
    ProcessBuilder builder = new ProcessBuilder(command).directory(work)
        .redirectErrorStream(true).redirectOutput(new File(work, "cluster.log"));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process cluster = builder.start();

    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    Configuration clusterConf = null;
    while (clusterConf == null) {
      if (!cluster.isAlive()) {
        fail("Hadoop " + version + " cluster exited " + cluster.exitValue() + ": " + tail(new File(work, "cluster.log")));
      }
      if (System.nanoTime() > deadline) {
        cluster.destroyForcibly();
        fail("Hadoop " + version + " cluster not up in 4 minutes: " + tail(new File(work, "cluster.log")));
      }
      Thread.sleep(500);
      clusterConf = readIfComplete(written);
    }

    // The client's configuration folder, as a gateway machine of this cluster would have it.
    Configuration client = new Configuration(false);
    clusterConf.forEach(entry -> client.set(entry.getKey(), entry.getValue()));
    // What the mini clusters set for themselves and a real cluster does not: MiniMRClientClusterFactory adds its
    // test jars to every job, MiniDFSCluster a rack mapping class from a test jar.
    client.unset("mapreduce.job.classpath.files");
    client.unset("mapreduce.job.cache.files");
    client.unset("net.topology.node.switch.mapping.impl");
    client.set("mapreduce.framework.name", "yarn");
    client.set("yarn.is.minicluster", "false");
    client.set("mapreduce.application.classpath", "");
    writeSiteFiles(client, confDir);
    Files.writeString(new File(confDir, "log4j.properties").toPath(), String.join("\n",
        "log4j.rootLogger=INFO, console",
        "log4j.appender.console=org.apache.log4j.ConsoleAppender",
        "log4j.appender.console.target=System.err",
        "log4j.appender.console.layout=org.apache.log4j.PatternLayout",
        "log4j.appender.console.layout.ConversionPattern=%d{yy/MM/dd HH:mm:ss} %p %c{2}: %m%n", ""));

    Configuration testConf = new Configuration();
    testConf.set("fs.defaultFS", clusterConf.get("fs.defaultFS"));
    return new SingleNodeHadoop(version, hadoopJars, work, confDir, cluster, testConf);
  }

  /**
   * Writes the configuration as a cluster's conf folder has it: each key in its own site file, since
   * {@code mapred-default.xml} and {@code yarn-default.xml} are loaded after {@code core-site.xml} and would override
   * a MapReduce or YARN key written there.
   */
  private static void writeSiteFiles(Configuration conf, File confDir) throws IOException {
    Map<String, Configuration> sites = new LinkedHashMap<>();
    for (String site : List.of("core", "hdfs", "mapred", "yarn")) {
      sites.put(site, new Configuration(false));
    }
    conf.forEach(entry -> {
      String key = entry.getKey();
      String site = key.startsWith("yarn.") ? "yarn"
          : key.startsWith("mapreduce.") || key.startsWith("mapred.") ? "mapred"
          : key.startsWith("dfs.") ? "hdfs" : "core";
      sites.get(site).set(key, entry.getValue());
    });
    for (Map.Entry<String, Configuration> site : sites.entrySet()) {
      try (OutputStream out = new FileOutputStream(new File(confDir, site.getKey() + "-site.xml"))) {
        site.getValue().writeXml(out);
      }
    }
  }

  /** What a Java 17 cluster of this kind sets in yarn-site.xml and mapred-site.xml. */
  private static List<String> clusterSettings(File hadoopJars, File confDir) {
    return List.of(
        "yarn.application.classpath=" + confDir + "," + hadoopJars + "/*",
        "yarn.is.minicluster=false",
        "mapreduce.application.classpath=",
        "yarn.app.mapreduce.am.admin-command-opts=" + JAVA17_OPENS + " " + SHORT_LIVED_JVM,
        "mapreduce.admin.map.child.java.opts=" + JAVA17_OPENS + " " + SHORT_LIVED_JVM,
        "mapreduce.admin.reduce.child.java.opts=" + JAVA17_OPENS + " " + SHORT_LIVED_JVM,
        // The history server finds finished jobs here (the mini cluster would derive it from its own staging dir).
        "mapreduce.jobhistory.intermediate-done-dir=/mr-history/tmp",
        "mapreduce.jobhistory.done-dir=/mr-history/done",
        "yarn.nodemanager.delete.debug-delay-sec=3600",
        // Heartbeats of 200 ms instead of 1 s (node manager to resource manager, application master to resource
        // manager): a small job waits less for its containers.
        "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms=200",
        "yarn.app.mapreduce.am.scheduler.heartbeat.interval-ms=200",
        "yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage=99.5",
        "yarn.resourcemanager.scheduler.address=localhost:" + port(),
        "yarn.resourcemanager.resource-tracker.address=localhost:" + port(),
        "yarn.resourcemanager.admin.address=localhost:" + port(),
        "yarn.resourcemanager.webapp.address=localhost:" + port(),
        "mapreduce.jobhistory.admin.address=localhost:" + port(),
        "mapreduce.jobhistory.webapp.address=localhost:" + port(),
        "mapreduce.shuffle.port=" + port());
  }

  /** A file system client of the test's own Hadoop, to put inputs on the cluster's HDFS and read what it published. */
  FileSystem fs() throws IOException {
    return FileSystem.get(conf);
  }

  /** The cluster's HDFS URI. */
  String hdfs() {
    return conf.get("fs.defaultFS");
  }

  /** What {@code hadoop jar <job jar> args...} printed and returned. */
  static final class Run {
    final int exitCode;
    final String stdout;
    final String stderr;

    Run(int exitCode, String stdout, String stderr) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    /** The last line on stderr. */
    String lastErrorLine() {
      String[] lines = stderr.strip().split("\n");
      return lines[lines.length - 1];
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr (last 60 lines)\n"
          + lastLines(stderr, 60);
    }
  }

  /** Runs {@code hadoop jar jobJar args...} as a separate JVM, the way the {@code hadoop} script does. */
  Run hadoopJar(File jobJar, String... args) throws Exception {
    return hadoopJar(null, jobJar, args);
  }

  /**
   * Runs {@code HADOOP_CLASSPATH=hadoopClasspath hadoop jar jar args...} ({@code hadoopClasspath} may be null): the
   * script puts that entry after Hadoop's own jars.
   */
  Run hadoopJar(File hadoopClasspath, File jar, String... args) throws Exception {
    File runDir = Files.createTempDirectory(work.toPath(), "client-").toFile();
    String classpath = confDir + File.pathSeparator + hadoopJars + "/*"
        + (hadoopClasspath == null ? "" : File.pathSeparator + hadoopClasspath.getPath());
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Djava.net.preferIPv4Stack=true",
        "-Dhadoop.log.dir=" + runDir, "-Dhadoop.root.logger=INFO,console",
        "-cp", classpath, "org.apache.hadoop.util.RunJar", jar.getPath()));
    command.addAll(Arrays.asList(args));
    File out = new File(runDir, "stdout");
    File err = new File(runDir, "stderr");
    ProcessBuilder builder = new ProcessBuilder(command).directory(runDir)
        .redirectOutput(out).redirectError(err);
    builder.environment().keySet().removeIf(name -> name.startsWith("HADOOP_") || name.equals("CLASSPATH"));
    Process client = builder.start();
    if (!client.waitFor(10, TimeUnit.MINUTES)) {
      client.destroyForcibly();
      fail("hadoop jar " + String.join(" ", args) + " did not end in 10 minutes: " + tail(err));
    }
    return new Run(client.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
  }

  @Override
  public void close() throws Exception {
    cluster.destroy();
    if (!cluster.waitFor(30, TimeUnit.SECONDS)) {
      cluster.destroyForcibly().waitFor();
    }
  }

  private static Configuration readIfComplete(File written) {
    if (!written.isFile()) {
      return null;
    }
    try {
      String xml = Files.readString(written.toPath());
      if (!xml.strip().endsWith("</configuration>")) {
        return null;
      }
      Configuration conf = new Configuration(false);
      conf.addResource(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
      conf.size();
      return conf;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String java() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String port() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return Integer.toString(socket.getLocalPort());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tail(File file) {
    try {
      return lastLines(Files.readString(file.toPath()), 40);
    } catch (IOException e) {
      return "(no " + file + ")";
    }
  }

  private static String lastLines(String text, int count) {
    String[] lines = text.split("\n");
    return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - count), lines.length));
  }
}
