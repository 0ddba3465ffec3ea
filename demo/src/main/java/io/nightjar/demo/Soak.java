package io.nightjar.demo;

import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.DatasetLease;
import io.nightjar.common.dataset.Manifest;
import io.nightjar.jobs.tracks.s3import.PromoteImportTool;
import io.nightjar.workflows.ChainDiagram;
import io.nightjar.workflows.OozieApp;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * A seeded soak run: the daily chain of the demo (the bulk import, then each day's deliveries and coordinators' jobs)
 * run twice on one in-process HDFS and loopback S3 from the shipped job jar, once undisturbed and once with faults
 * drawn at random before tool runs: the run killed with {@code kill -9} at a random point (the tool runs in a JVM of
 * its own for that), S3 stopped before or during an import, a lease file left empty by a run killed while writing it,
 * a truncated {@code .gz} delivered as the day's readings. Each fault is followed by what an operator does (a plain
 * rerun; after the S3 server or the input is back, or the lease's grace has passed). Then every published day of the
 * faulted run must equal the undisturbed run's, record for record, and no scratch, staging folder or lease may be left.
 * Prints the seed, every fault and its outcome; exit 0 when all held, 1 naming what did not.
 *
 * <p>Not covered here: a task attempt killed on a cluster (the local job runner has no attempts; {@code TaskRetryIT}
 * kills one on a MiniYARN cluster).
 */
@Command(name = "nightjar-soak", mixinStandardHelpOptions = true,
    description = "Run the daily chain with random faults and compare every day with an undisturbed run.")
public final class Soak implements Callable<Integer> {

  /** What can go wrong before or during a tool run. */
  public enum Fault { KILL, S3_STOPPED, STALE_LEASE, TRUNCATED_INPUT }

  @Option(names = "--seed", description = "The seed of the faults (default: a new one, printed).")
  private Long seed;

  @Option(names = "--days", defaultValue = "7", description = "Days after the bulk import (default: ${DEFAULT-VALUE}).")
  private int days;

  @Option(names = "--date", defaultValue = "2016-05-04",
      description = "The bulk import's day, the first day (default: ${DEFAULT-VALUE}, a Wednesday: a week crosses "
          + "Sunday's compaction).")
  private LocalDate date;

  @Option(names = "--fault-probability", defaultValue = "0.3",
      description = "Chance of a fault before each tool run (default: ${DEFAULT-VALUE}).")
  private double probability;

  @Option(names = "--faults", split = ",", description = "The faults to draw from (default: all: ${COMPLETION-CANDIDATES}).")
  private Set<Fault> faults = Set.of(Fault.values());

  @Mixin
  private final ChainOptions options = new ChainOptions();

  /** Seconds a lease file naming no holder blocks its day here (the default, 300, would make a soak slow). */
  static final int LEASE_GRACE_SECONDS = 2;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Soak()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  /** What a soak run did: its seed, the faults it injected (one line each, and their kinds), what did not hold. */
  public record Result(long seed, List<String> injected, List<Fault> kinds, int daysCompared, List<String> problems) {
  }

  @Override
  public Integer call() throws Exception {
    return soak().problems().isEmpty() ? 0 : 1;
  }

  /** Runs the soak and prints its seed, faults and outcome. */
  public Result soak() throws Exception {
    long seed = this.seed != null ? this.seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
    System.out.println("soak seed " + seed + " (repeat it with --seed " + seed + ")");
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(options.apps);
    List<String> chain = ChainDiagram.order(jobs);
    try (DemoCluster cluster = DemoCluster.start("nightjar-soak", true)) {
      FileSystem fs = cluster.fs;
      cluster.conf.setInt(DatasetLease.UNWRITTEN_GRACE_SECONDS_KEY, LEASE_GRACE_SECONDS);
      Configuration reference = rooted(cluster.conf, "/reference");
      Configuration faulted = rooted(cluster.conf, "/soak");
      File scratch = Files.createTempDirectory("nightjar-soak").toFile();
      List<String> problems = new ArrayList<>();
      Injector injector;
      try (ShippedJar undisturbed = ShippedJar.open(options.jobJar, options.testKitJar, options.hadoopJars, reference);
          ShippedJar shipped = ShippedJar.open(options.jobJar, options.testKitJar, options.hadoopJars, faulted)) {
        System.out.println("Every tool runs from " + shipped.describe());
        System.out.printf("%n=== The undisturbed run, under /reference ===%n");
        runChain(new DailyChain(fs, reference, options.testdata, jobs).runningTools(undisturbed, undisturbed.testKit()), chain, problems, "reference");
        System.out.printf("%n=== The run with faults, under /soak ===%n");
        injector = new Injector(new Random(seed), probability, faults, cluster, faulted, shipped, options, scratch,
            problems);
        runChain(new DailyChain(fs, faulted, options.testdata, jobs).runningTools(injector, shipped.testKit()), chain, problems, "soak");
      } finally {
        FileUtil.fullyDelete(scratch);
      }
      int compared = compare(fs, new Path("/reference"), new Path("/soak"), problems);
      manifests(fs, new Path("/soak"), problems);
      problems.addAll(leftovers(fs, new Path("/soak")));
      System.out.printf("%nsoak seed %d: %d faults injected%n", seed, injector.injected.size());
      injector.injected.forEach(line -> System.out.println("  " + line));
      Map<Fault, Integer> byKind = new EnumMap<>(Fault.class);
      injector.kinds.forEach(kind -> byKind.merge(kind, 1, Integer::sum));
      System.out.println("faults by kind: " + byKind);
      if (problems.isEmpty()) {
        System.out.printf("outcome: every one of %d published days (data and quarantine) equals the undisturbed "
            + "run's, record for record, and carries a manifest that matches it; no scratch, staging folder or lease "
            + "left%n", compared);
      } else {
        System.out.printf("outcome: %d problem(s) with seed %d:%n", problems.size(), seed);
        problems.forEach(problem -> System.out.println("  " + problem));
      }
      return new Result(seed, injector.injected, injector.kinds, compared, problems);
    }
  }

  private static Configuration rooted(Configuration conf, String root) {
    Configuration copy = new Configuration(conf);
    copy.set(Dataset.ROOT_KEY, root);
    return copy;
  }

  /** The bulk import, then each day's deliveries and jobs in the coordinators' order; a failed step stops it. */
  private void runChain(DailyChain run, List<String> chain, List<String> problems, String name) throws IOException {
    int status = run.bulkImport(date);
    if (status != 0) {
      problems.add(name + ": the bulk import of " + date + " failed (exit " + status + ")");
      return;
    }
    for (int k = 0; k < days; k++) {
      LocalDate day = date.plusDays(k);
      run.seedDeliveries(day);
      for (String job : chain) {
        status = run.runJob(job, day, OozieApp.of(options.apps, job).defaults());
        if (status != 0) {
          problems.add(name + ": " + job + " " + day + " failed after the operator's step (exit " + status + ")");
          return;
        }
      }
    }
  }

  /**
   * Every published day (a date-named folder with {@code _SUCCESS}, quarantines included) under {@code reference}
   * must be published under {@code soak} with the same records, and no other; returns how many were compared.
   */
  static int compare(FileSystem fs, Path reference, Path soak, List<String> problems) throws IOException {
    Map<String, Path> expected = publishedDays(fs, reference);
    Map<String, Path> actual = publishedDays(fs, soak);
    for (String day : expected.keySet()) {
      if (!actual.containsKey(day)) {
        problems.add(day + ": published undisturbed, not in the soak");
      } else if (!contents(fs, expected.get(day)).equals(contents(fs, actual.get(day)))) {
        problems.add(day + ": records differ from the undisturbed run's");
      }
    }
    for (String day : actual.keySet()) {
      if (!expected.containsKey(day)) {
        problems.add(day + ": published in the soak only");
      }
    }
    return expected.size();
  }

  private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  /** Datasets the upstream stand-ins deliver (with an empty flag); every other day is a tool's, with a manifest. */
  private static final Pattern UPSTREAM = Pattern.compile("(sensors/readings|ads/impressions|ads/ad-metadata|"
      + "tracks/metadata-dump)/.*");

  /**
   * Every day a tool published under {@code root} must carry its manifest, whose records are the day's and whose
   * accounting balances ({@code in = out + quarantined + skipped}).
   */
  @SuppressWarnings("unchecked")
  static void manifests(FileSystem fs, Path root, List<String> problems) throws IOException {
    for (Map.Entry<String, Path> day : publishedDays(fs, root).entrySet()) {
      if (UPSTREAM.matcher(day.getKey()).matches()) {
        continue;
      }
      Map<String, Object> manifest = Manifest.read(fs, day.getValue());
      if (manifest == null || manifest.isEmpty()) {
        problems.add(day.getKey() + ": no manifest in its _SUCCESS");
        continue;
      }
      // A promoted chunk's files (and its quarantine's) moved into the full snapshot; its _PROMOTED flag says where.
      Path dataDay = day.getValue().getParent().getName().equals(Dataset.QUARANTINE_DIR)
          ? new Path(day.getValue().getParent().getParent(), day.getValue().getName()) : day.getValue();
      long records = AvroFiles.count(fs, day.getValue());
      if (!fs.exists(new Path(dataDay, PromoteImportTool.PROMOTED_FLAG))
          && ((Number) manifest.getOrDefault("records", -1)).longValue() != records) {
        problems.add(day.getKey() + ": its manifest says " + manifest.get("records") + " records, it holds "
            + records);
      }
      Map<String, Object> accounting = (Map<String, Object>) manifest.get("accounting");
      if (accounting != null && ((Number) accounting.get("in")).longValue() != ((Number) accounting.get("out"))
          .longValue() + ((Number) accounting.get("quarantined")).longValue()
          + ((Number) accounting.get("skipped")).longValue()) {
        problems.add(day.getKey() + ": its manifest's accounting does not balance: " + accounting);
      }
    }
  }

  /** Relative path to folder of every published day under {@code root}. */
  private static Map<String, Path> publishedDays(FileSystem fs, Path root) throws IOException {
    Map<String, Path> days = new TreeMap<>();
    collect(fs, fs.makeQualified(root), fs.makeQualified(root).toUri().getPath(), days);
    return days;
  }

  private static void collect(FileSystem fs, Path dir, String root, Map<String, Path> days) throws IOException {
    for (FileStatus child : fs.listStatus(dir)) {
      if (!child.isDirectory()) {
        continue;
      }
      Path path = child.getPath();
      if (DAY.matcher(path.getName()).matches() && fs.exists(new Path(path, Dataset.SUCCESS_FLAG))) {
        days.put(path.toUri().getPath().substring(root.length() + 1), path);
      } else {
        collect(fs, path, root, days);
      }
    }
  }

  /** A day's Avro records (sorted, as text) and its other visible files' bytes, by file kind. */
  private static Map<String, List<String>> contents(FileSystem fs, Path day) throws IOException {
    Map<String, List<String>> contents = new TreeMap<>();
    contents.put("avro records", AvroFiles.recordsAsText(fs, day));
    for (FileStatus file : fs.listStatus(day)) {
      String name = file.getPath().getName();
      if (file.isFile() && !name.startsWith("_") && !name.startsWith(".") && !name.endsWith(".avro")) {
        try (InputStream in = fs.open(file.getPath())) {
          contents.put(name, List.of(Arrays.toString(in.readAllBytes())));
        }
      }
    }
    return contents;
  }

  /** Work, staging and promotion folders and held leases under {@code root}: none may outlive the runs. */
  static List<String> leftovers(FileSystem fs, Path root) throws IOException {
    List<String> left = new ArrayList<>();
    for (FileStatus status : listRecursively(fs, root)) {
      String name = status.getPath().getName();
      boolean lease = status.isFile() && status.getPath().getParent().getName().equals(DatasetLease.LEASE_DIR)
          && !name.startsWith("_stale-");
      if (name.startsWith("_work-") || name.startsWith("_staging-") || name.startsWith("_promoting-") || lease) {
        left.add("left behind: " + status.getPath().toUri().getPath());
      }
    }
    return left;
  }

  private static List<FileStatus> listRecursively(FileSystem fs, Path dir) throws IOException {
    List<FileStatus> all = new ArrayList<>();
    for (FileStatus child : fs.listStatus(dir)) {
      all.add(child);
      if (child.isDirectory()) {
        all.addAll(listRecursively(fs, child.getPath()));
      }
    }
    return all;
  }

  /**
   * Runs the soak chain's tools from the shipped jar, injecting a fault before some runs and then doing what an
   * operator does; returns the exit status of that last step.
   */
  static final class Injector implements ToIntFunction<String[]> {
    /** Tools that publish or read what the chain publishes; the generators stand in for upstream systems. */
    private static final Map<String, List<Fault>> FAULTS_BY_TOOL = new LinkedHashMap<>();

    static {
      FAULTS_BY_TOOL.put("s3-import", List.of(Fault.KILL, Fault.S3_STOPPED));
      FAULTS_BY_TOOL.put("promote-import", List.of(Fault.KILL));
      FAULTS_BY_TOOL.put("sensor-averages", List.of(Fault.KILL, Fault.STALE_LEASE, Fault.TRUNCATED_INPUT));
      FAULTS_BY_TOOL.put("impressions-join", List.of(Fault.KILL, Fault.STALE_LEASE));
      FAULTS_BY_TOOL.put("analysis-compact", List.of(Fault.KILL));
      FAULTS_BY_TOOL.put("attributes-daily", List.of(Fault.KILL, Fault.STALE_LEASE));
      FAULTS_BY_TOOL.put("analysis-retire", List.of(Fault.KILL));
    }

    /** The dataset whose lease a tool takes, for a lease left empty. */
    private static final Map<String, String> LEASED = Map.of("sensor-averages", "sensors/sensor-averages-day",
        "impressions-join", "ads/enriched-impressions", "attributes-daily", "tracks/attributes");

    private final Random random;
    private final double probability;
    private final Set<Fault> allowed;
    private final DemoCluster cluster;
    private final Configuration conf;
    private final ShippedJar shipped;
    private final ChainOptions jars;
    private final File scratch;
    private final List<String> problems;
    final List<String> injected = new ArrayList<>();
    final List<Fault> kinds = new ArrayList<>();

    Injector(Random random, double probability, Set<Fault> allowed, DemoCluster cluster, Configuration conf,
        ShippedJar shipped, ChainOptions jars, File scratch, List<String> problems) {
      this.random = random;
      this.probability = probability;
      this.allowed = allowed;
      this.cluster = cluster;
      this.conf = conf;
      this.shipped = shipped;
      this.jars = jars;
      this.scratch = scratch;
      this.problems = problems;
    }

    @Override
    public int applyAsInt(String[] args) {
      List<Fault> possible = new ArrayList<>(FAULTS_BY_TOOL.getOrDefault(args[0], List.of()));
      possible.retainAll(allowed);
      // Drawn for every tool run, so a seed gives the same faults at the same steps.
      double draw = random.nextDouble();
      if (possible.isEmpty() || draw >= probability) {
        return shipped.applyAsInt(args);
      }
      Fault fault = possible.get(random.nextInt(possible.size()));
      String step = String.join(" ", args);
      try {
        String outcome;
        String operator;
        switch (fault) {
          case KILL: {
            long afterMs = 300 + random.nextInt(4_000); // a tool's JVM starts in about 1.5 s and runs 3-6 s
            outcome = killedAfter(args, afterMs);
            operator = "a plain rerun";
            break;
          }
          case S3_STOPPED: {
            long afterMs = random.nextInt(1_500);
            outcome = withS3StoppedAfter(args, afterMs);
            operator = "S3 started again, a plain rerun";
            break;
          }
          case STALE_LEASE: {
            Path lease = new Path(new Path(new Path(conf.get(Dataset.ROOT_KEY), LEASED.get(args[0])),
                DatasetLease.LEASE_DIR), value(args, "--date"));
            cluster.fs.create(lease, true).close();
            int status = shipped.applyAsInt(args);
            outcome = "an empty lease file " + lease + " (its run killed while writing it): exit " + status;
            expect(status != 0, step + ": a fresh empty lease did not refuse the run");
            Thread.sleep(TimeUnit.SECONDS.toMillis(LEASE_GRACE_SECONDS) + 500);
            operator = "waited " + LEASE_GRACE_SECONDS + " s (" + DatasetLease.UNWRITTEN_GRACE_SECONDS_KEY
                + "), a plain rerun";
            break;
          }
          case TRUNCATED_INPUT: {
            outcome = withTruncatedReadings(args);
            operator = "the readings delivered again whole, a plain rerun";
            break;
          }
          default:
            throw new IllegalStateException(fault.toString());
        }
        int status = shipped.applyAsInt(args);
        if (status != 0 && fault == Fault.KILL) {
          // Killed while creating its lease file, the run left one naming no holder: the rerun is refused ("wait
          // for it") until the lease's grace has passed; the operator waits and runs it again.
          Thread.sleep(TimeUnit.SECONDS.toMillis(LEASE_GRACE_SECONDS) + 500);
          operator += " (exit " + status + "), again after " + LEASE_GRACE_SECONDS + " s";
          status = shipped.applyAsInt(args);
        }
        String line = String.format("%s %s: %s; operator: %s -> exit %d", fault, step, outcome, operator, status);
        System.out.println("[soak] " + line);
        injected.add(line);
        kinds.add(fault);
        return status;
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("could not inject " + fault + " into " + step + ": " + e, e);
      }
    }

    private void expect(boolean condition, String problem) {
      if (!condition) {
        problems.add(problem);
      }
    }

    /** Runs the tool in a JVM of its own, as hadoop jar would, and kills it ({@code kill -9}) after {@code ms}. */
    private String killedAfter(String[] args, long ms) throws IOException, InterruptedException {
      File site = new File(scratch, "soak-site.xml");
      if (!site.exists()) {
        try (OutputStream out = Files.newOutputStream(site.toPath())) {
          conf.writeXml(out); // the loopback server's fixed test keys; deleted when the soak ends
        }
      }
      List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
          "-Xmx1g", "-cp", String.join(File.pathSeparator, jars.jobJar.getAbsolutePath(),
              jars.testKitJar.getAbsolutePath(), jars.hadoopJars.getAbsolutePath() + "/*"),
          "io.nightjar.jobs.Main", args[0], "-conf", site.getAbsolutePath()));
      command.addAll(Arrays.asList(args).subList(1, args.length));
      File log = new File(scratch, "killed-run.log");
      // In the scratch folder: the local job runner links a job's cache files into the working directory, and a
      // killed run leaves the links there.
      Process process = new ProcessBuilder(command).directory(scratch).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(log)).start();
      if (process.waitFor(ms, TimeUnit.MILLISECONDS)) {
        return "finished (exit " + process.exitValue() + ") before the kill due at " + ms + " ms";
      }
      process.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
      process.waitFor();
      return "killed -9 after " + ms + " ms";
    }

    /** Runs the tool with the S3 server stopped after {@code ms} (0: before it starts); starts S3 again. */
    private String withS3StoppedAfter(String[] args, long ms) throws IOException, InterruptedException {
      Thread stopper = new Thread(() -> {
        try {
          Thread.sleep(ms);
        } catch (InterruptedException e) {
          return;
        }
        cluster.stopS3();
      });
      stopper.start();
      int status = shipped.applyAsInt(args);
      stopper.join();
      cluster.startS3();
      return "S3 stopped " + ms + " ms into the run: exit " + status;
    }

    /** Delivers the day's readings as truncated {@code .gz} files, runs the tool, and delivers them whole again. */
    private String withTruncatedReadings(String[] args) throws IOException {
      FileSystem fs = cluster.fs;
      Path readings = new Path(new Path(conf.get(Dataset.ROOT_KEY), "sensors/readings"), value(args, "--date"));
      Map<Path, byte[]> originals = new LinkedHashMap<>();
      for (FileStatus file : fs.listStatus(readings)) {
        String name = file.getPath().getName();
        if (file.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
          try (InputStream in = fs.open(file.getPath())) {
            originals.put(file.getPath(), in.readAllBytes());
          }
        }
      }
      for (Map.Entry<Path, byte[]> file : originals.entrySet()) {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
          out.write(file.getValue());
        }
        byte[] whole = gz.toByteArray();
        try (OutputStream out = fs.create(file.getKey().suffix(".gz"), true)) {
          out.write(whole, 0, whole.length / 2);
        }
        fs.delete(file.getKey(), false);
      }
      int status = shipped.applyAsInt(args);
      expect(status != 0, String.join(" ", args) + ": truncated readings did not fail the run");
      for (Map.Entry<Path, byte[]> file : originals.entrySet()) {
        fs.delete(file.getKey().suffix(".gz"), false);
        try (OutputStream out = fs.create(file.getKey(), true)) {
          out.write(file.getValue());
        }
      }
      return originals.size() + " readings file(s) delivered cut in half as .gz: exit " + status;
    }

    private static String value(String[] args, String option) {
      for (int i = 0; i + 1 < args.length; i++) {
        if (args[i].equals(option)) {
          return args[i + 1];
        }
      }
      throw new IllegalArgumentException(String.join(" ", args) + " has no " + option);
    }
  }
}
