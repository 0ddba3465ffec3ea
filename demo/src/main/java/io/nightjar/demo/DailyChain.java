package io.nightjar.demo;

import io.nightjar.common.AvroFiles;
import io.nightjar.common.Dataset;
import io.nightjar.jobs.Main;
import io.nightjar.workflows.ChainDiagram;
import java.io.File;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One demo day: seeds the upstream deliveries the coordinators wait for (the datasets they read that no nightjar
 * job publishes), runs each coordinator's workflow steps with the tools and the workflow's parameter defaults, and
 * records what each published (records, bytes, quarantined, seconds) for the summary table.
 */
public final class DailyChain {

  private final FileSystem fs;
  private final Configuration conf;
  private final String root;
  private final File testdata;
  private final Map<String, ChainDiagram.Job> jobs;
  private final Map<String, String[]> lastRow = new LinkedHashMap<>();

  /** {@code conf} carries the file system, the MapReduce framework and {@code nightjar.root} the tools use. */
  public DailyChain(FileSystem fs, Configuration conf, File testdata, Map<String, ChainDiagram.Job> jobs) {
    this.fs = fs;
    this.conf = conf;
    this.root = new Path(conf.get(Dataset.ROOT_KEY)).toUri().getPath();
    this.testdata = testdata;
    this.jobs = jobs;
  }

  /** Writes day {@code k}'s upstream deliveries, each complete with {@code _SUCCESS}, as an upstream job would. */
  public void seedDeliveries(LocalDate day, int k) throws IOException {
    String seed = Long.toString(day.toEpochDay());
    Path readings = path("sensors/readings", day);
    File sample = new File(testdata, "sensors/readings/" + day);
    if (sample.isDirectory()) {
      fs.copyFromLocalFile(false, true, new Path(sample.getAbsolutePath()), readings);
    } else {
      tool("generate-sensor-readings", "--date", day.toString(), "--output", readings.toString(), "--format", "csv",
          "--sensors", "24", "--readings", "1200", "--bad-fraction", "0.005", "--duplicate-fraction", "0.01", "--seed", seed);
    }
    tool("generate-ad-impressions", "--date", day.toString(), "--impressions", "20000", "--ads", "200",
        "--bad-impressions", "5", "--seed", seed,
        "--impressions-output", path("ads/impressions", day).toString(),
        "--metadata-output", path("ads/ad-metadata", day).toString());
    Path analysis = path(k == 1 ? "tracks/analysis/full" : "tracks/analysis/incremental", day);
    tool("generate-track-analysis", "--output", analysis.toString(), "--first-date", day.minusDays(k - 1).toString(),
        "--day", Integer.toString(k), "--tracks", "2000", "--new", "40", "--changed", "15", "--deleted", "5",
        "--segments", "40"); // whole documents, shortened (a real track has ~500 segments) to keep the demo quick
    List<String> seeded = new ArrayList<>();
    for (Path delivery : new Path[] {readings, path("ads/impressions", day), path("ads/ad-metadata", day), analysis}) {
      Path flag = new Path(delivery, Dataset.SUCCESS_FLAG);
      if (!fs.exists(flag)) { // the impressions generator flags its own deliveries
        fs.create(flag, false).close();
      }
      seeded.add(relative(delivery));
    }
    System.out.println("upstream deliveries: " + String.join(", ", seeded));
  }

  /** Runs one coordinator's workflow for the day, as its workflow.xml does; returns the exit status. */
  public int runJob(String job, LocalDate day, Map<String, String> parameters) throws IOException {
    long start = System.nanoTime();
    int status;
    switch (job) {
      case "sensor-averages":
        status = tool("sensor-averages", "--date", day.toString(), "--granularity", parameters.get("granularity"));
        break;
      case "impressions-join":
        status = tool("impressions-join", "--date", day.toString(), "--strategy", parameters.get("strategy"),
            "--reducers", parameters.get("reducers"));
        break;
      case "tracks-daily":
        status = tracksDaily(day, parameters);
        break;
      default:
        throw new IllegalStateException("the demo does not know how to run coordinator '" + job + "'");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (status == 0) {
      for (String dataset : jobs.get(job).publishes) {
        record(dataset, day, job, seconds);
      }
    }
    return status;
  }

  /** Adds a published day of {@code dataset} to the summary and prints its line. */
  public void record(String dataset, LocalDate day, String job, double seconds) throws IOException {
    String[] row = describe(dataset, day, seconds);
    lastRow.put(dataset, row);
    System.out.printf("  %-56s %9s records %11s bytes %5s quarantined  (%s, %.1f s)%n", row[0], row[1], row[2],
        row[3], job, seconds);
  }

  /** tracks-daily's workflow: compaction on the compaction weekday, then attributes, then retention. */
  private int tracksDaily(LocalDate day, Map<String, String> parameters) throws IOException {
    String weekday = day.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    String keepDays = parameters.get("keepDays");
    if (weekday.equals(parameters.get("compactionWeekday"))) {
      int status = tool("analysis-compact", "--date", day.toString(), "--keep-days", keepDays);
      if (status != 0) {
        return status;
      }
    }
    int status = tool("attributes-daily", "--date", day.toString());
    if (status != 0) {
      return status;
    }
    status = tool("analysis-retire", "--date", day.toString(), "--keep-days", keepDays);
    List<String> left = new ArrayList<>();
    for (String kind : new String[] {"full", "incremental"}) {
      Path dir = new Path(root + "/tracks/analysis/" + kind);
      if (fs.exists(dir)) {
        for (org.apache.hadoop.fs.FileStatus folder : fs.listStatus(dir, p -> !p.getName().startsWith("_"))) {
          left.add(kind + "/" + folder.getPath().getName());
        }
      }
    }
    System.out.println("  analysis kept after retention: " + left);
    return status;
  }

  public void printSummary(LocalDate lastDay) {
    System.out.printf("%nPublished datasets (%s is the last day):%n", lastDay);
    System.out.printf("  %-56s %10s %12s %12s %9s%n", "path", "records", "bytes", "quarantined", "seconds");
    lastRow.values().forEach(row -> System.out.printf("  %-56s %10s %12s %12s %9s%n", row[0], row[1], row[2], row[3], row[4]));
  }

  public void printSkewReport(File copy, LocalDate day) {
    File svg = new File(copy, "ads/enriched-impressions/" + day + "/_skew-report.svg");
    if (svg.exists()) {
      System.out.println("The impressions join's skew report (rows per reduce task): " + svg.getAbsolutePath());
    }
  }

  private String[] describe(String dataset, LocalDate day, double seconds) throws IOException {
    Path dir = path(dataset, day);
    Path quarantine = new Path(new Path(root + "/" + dataset), Dataset.QUARANTINE_DIR + "/" + day);
    long records = fs.exists(dir) ? AvroFiles.count(fs, dir) : 0;
    long bytes = fs.exists(dir) ? fs.getContentSummary(dir).getLength() : 0;
    long quarantined = 0;
    if (fs.exists(quarantine)) {
      // A quarantine record can stand for several identical input records (its "records" field).
      for (org.apache.avro.generic.GenericRecord record : AvroFiles.readGeneric(fs, quarantine)) {
        quarantined += ((Number) record.get("records")).longValue();
      }
    }
    return new String[] {relative(dir), String.format("%,d", records), String.format("%,d", bytes),
        String.format("%,d", quarantined), String.format("%.1f", seconds)};
  }

  /** Runs {@code show} on one published day, as a user would to look at it. */
  public int show(String dataset, LocalDate day) {
    return tool("show", dataset, "--date", day.toString(), "--records", "3", "--quarantined", "2");
  }

  private int tool(String... args) {
    System.out.println("$ hadoop jar nightjar-jobs.jar " + String.join(" ", args));
    return Main.run(new Configuration(conf), args);
  }

  /** The day folder of {@code dataset} ("project/name") under this chain's root. */
  public Path path(String dataset, LocalDate day) {
    return new Path(root + "/" + dataset + "/" + day);
  }

  private String relative(Path dir) {
    return dir.toUri().getPath().substring(root.length() + 1);
  }

  /** The {@code <parameters>} defaults an app's workflow.xml declares (e.g. keepDays, compactionWeekday). */
  public static Map<String, String> workflowDefaults(File apps, String app) throws Exception {
    Map<String, String> defaults = new java.util.TreeMap<>();
    javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    org.w3c.dom.Document xml = factory.newDocumentBuilder().parse(new File(apps, app + "/workflow.xml"));
    org.w3c.dom.NodeList properties = xml.getElementsByTagNameNS("*", "property");
    for (int i = 0; i < properties.getLength(); i++) {
      org.w3c.dom.Element property = (org.w3c.dom.Element) properties.item(i);
      if (!property.getParentNode().getLocalName().equals("parameters")) {
        continue;
      }
      org.w3c.dom.NodeList value = property.getElementsByTagNameNS("*", "value");
      if (value.getLength() > 0) {
        defaults.put(property.getElementsByTagNameNS("*", "name").item(0).getTextContent().trim(),
            value.item(0).getTextContent().trim());
      }
    }
    return defaults;
  }
}
