package io.nightjar.jobs.ads;

import io.nightjar.common.crunch.PipelineCounters;
import io.nightjar.common.dataset.Json;
import io.nightjar.common.tool.DailyJobTool;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.Tuple3;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How evenly a join spread its work: output rows per task that ran the join (reduce tasks, or map tasks for a
 * map-side join), their max/mean ratio, the busiest ad ids (each task's top three, summed), and metadata rows
 * shuffled (a counter). Written beside the output as {@code _skew-report.json} and {@code _skew-report.svg} (a bar chart of task
 * loads), and summarised in one log line.
 */
public final class SkewReport implements DailyJobTool.Report {

  public static final String JSON_FILE = "_skew-report.json";
  public static final String SVG_FILE = "_skew-report.svg";

  private final String strategy;
  private final String why;
  private final String plan;
  private final Map<String, Long> taskRows;
  private final Map<String, Long> hotKeys;
  private final Map<String, Long> join;
  private final Map<String, Long> metadata;
  private final long defaultLargestEstimate;

  private SkewReport(String strategy, String why, String plan, Map<String, Long> taskRows, Map<String, Long> hotKeys,
      Map<String, Long> join, Map<String, Long> metadata, long defaultLargestEstimate) {
    this.strategy = strategy;
    this.why = why;
    this.plan = plan;
    this.taskRows = taskRows;
    this.hotKeys = hotKeys;
    this.join = join;
    this.metadata = metadata;
    this.defaultLargestEstimate = defaultLargestEstimate;
  }

  /**
   * The report of a finished run from its task loads ({@link ImpressionsJoin#join}'s second output) and the counters
   * of its pipeline runs; {@code reducers} > 0 counts reducers that got no rows as zero loads.
   */
  public static SkewReport of(List<PipelineResult> runs, Iterable<Tuple3<String, String, Long>> taskLoads,
      String strategy, String why, String plan, int reducers) {
    return of(runs, taskLoads, strategy, why, plan, reducers, -1);
  }

  /**
   * As {@link #of(List, Iterable, String, String, String, int)}, with the largest task the default strategy would
   * have had on the same day (estimated from the adaptive strategy's sample; -1 when not estimated), so a balanced
   * picture of a worse day shows as worse.
   */
  public static SkewReport of(List<PipelineResult> runs, Iterable<Tuple3<String, String, Long>> taskLoads,
      String strategy, String why, String plan, int reducers, long defaultLargestEstimate) {
    Map<String, Long> tasks = new TreeMap<>();
    Map<String, Long> rowsByAd = new HashMap<>();
    for (Tuple3<String, String, Long> load : taskLoads) {
      if (load.second().isEmpty()) {
        tasks.merge(load.first(), load.third(), Long::sum);
      } else {
        rowsByAd.merge(load.second(), load.third(), Long::sum);
      }
    }
    boolean reduceSide = tasks.keySet().stream().anyMatch(name -> name.startsWith("reduce"));
    for (int r = 0; reduceSide && r < reducers; r++) {
      tasks.putIfAbsent(String.format("reduce-%05d", r), 0L);
    }
    Map<String, Long> hot = rowsByAd.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    return new SkewReport(strategy, why, plan, tasks, hot, PipelineCounters.group(runs, ImpressionsJoin.JOIN_GROUP),
        PipelineCounters.group(runs, ImpressionsJoin.METADATA_GROUP), defaultLargestEstimate);
  }

  public Map<String, Long> taskRows() {
    return taskRows;
  }

  public long maxRows() {
    return taskRows.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  public double meanRows() {
    return taskRows.values().stream().mapToLong(Long::longValue).average().orElse(0);
  }

  public double maxOverMean() {
    return meanRows() == 0 ? 0 : maxRows() / meanRows();
  }

  public long metadataRowsShuffled() {
    return join.getOrDefault(ImpressionsJoin.METADATA_ROWS_SHUFFLED, 0L);
  }

  public long unknownAdRows() {
    return join.getOrDefault(ImpressionsJoin.UNKNOWN_AD, 0L);
  }

  public Map<String, Long> hotKeys() {
    return hotKeys;
  }

  /** The largest task over the default strategy's estimated largest on the same day; 0 when not estimated. */
  public double largestOverDefault() {
    return defaultLargestEstimate <= 0 ? 0 : maxRows() / (double) defaultLargestEstimate;
  }

  private String comparedWithDefault() {
    return defaultLargestEstimate <= 0 ? "" : String.format(Locale.ROOT, "; largest task %.2fx the default "
        + "strategy's (about %d rows, estimated from the sample)", largestOverDefault(), defaultLargestEstimate);
  }

  /** One line for the log. */
  @Override
  public String summary() {
    return String.format(Locale.ROOT, "strategy %s (%s): %d tasks, max %d rows, mean %.0f, max/mean %.2f; "
            + "metadata rows shuffled %d of %d read; hottest ads %s%s", strategy, why, taskRows.size(), maxRows(),
        meanRows(), maxOverMean(), metadataRowsShuffled(), metadata.getOrDefault("rows", 0L),
        hotKeys.entrySet().stream().limit(3).map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.toList()),
        comparedWithDefault());
  }

  public String toJson() throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("strategy", strategy);
    json.put("why", why);
    json.put("plan", plan);
    json.put("tasks", taskRows);
    json.put("maxRows", maxRows());
    json.put("meanRows", meanRows());
    json.put("maxOverMean", maxOverMean());
    if (defaultLargestEstimate > 0) {
      json.put("defaultStrategyLargestEstimate", defaultLargestEstimate);
      json.put("largestOverDefault", largestOverDefault());
    }
    json.put("metadataRowsShuffled", metadataRowsShuffled());
    json.put("metadata", metadata);
    json.put("unknownAdRows", unknownAdRows());
    json.put("hottestAds", hotKeys);
    return Json.pretty(json);
  }

  /**
   * A bar chart of rows per task: the largest task in red, the mean as a dashed line labelled right of the last bar,
   * a labelled y axis and a legend; at least 640 px wide so the title and summary fit even for one map task.
   */
  public String toSvg() {
    List<Map.Entry<String, Long>> bars = taskRows.entrySet().stream().collect(Collectors.toList());
    int barWidth = Math.max(8, Math.min(60, 900 / Math.max(1, bars.size())));
    int left = 80;
    int top = 50;
    int height = 300;
    int plotRight = left + bars.size() * barWidth;
    int width = Math.max(640, plotRight + 60);
    double max = Math.max(1, maxRows());
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-family=\"sans-serif\" font-size=\"12\">%n", width, top + height + 110));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\">impressions-join: rows per task, "
        + "strategy %s</text>%n", 10, escape(strategy)));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"38\">max %d, mean %.0f, max/mean %.2f; metadata rows "
        + "shuffled %d%s</text>%n", 10, maxRows(), meanRows(), maxOverMean(), metadataRowsShuffled(),
        escape(comparedWithDefault())));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
        left, top + height, plotRight, top + height));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
        left, top, left, top + height));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>%n", left - 4,
        top + 10, maxRows()));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n", left - 4,
        top + height));
    svg.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 20 %d)\">rows (impressions) per task</text>%n", top + height / 2, top + height / 2));
    for (int i = 0; i < bars.size(); i++) {
      long rows = bars.get(i).getValue();
      int h = (int) Math.round(height * rows / max);
      int x = left + i * barWidth;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
              + "<title>%s: %d rows</title></rect>%n", x + 1, top + height - h, barWidth - 2, h,
          rows == maxRows() ? LARGEST : OTHER, escape(bars.get(i).getKey()), rows));
      if (bars.size() <= 40) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\" transform=\"rotate(60 %d %d)\">"
            + "%s</text>%n", x + 2, top + height + 12, x + 2, top + height + 12, escape(bars.get(i).getKey())));
      }
    }
    int meanY = top + height - (int) Math.round(height * meanRows() / max);
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
        + "stroke-dasharray=\"6,4\"/><text x=\"%d\" y=\"%d\" fill=\"%s\">mean</text>%n",
        left, meanY, plotRight, meanY, MEAN, plotRight + 6, meanY + 4, MEAN));
    int legendY = top + height + 95;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
        + "<text x=\"%d\" y=\"%d\">largest task</text>%n", left, legendY - 10, LARGEST, left + 16, legendY));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
        + "<text x=\"%d\" y=\"%d\">other tasks</text>%n", left + 110, legendY - 10, OTHER, left + 126, legendY));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
        + "stroke-dasharray=\"6,4\"/><text x=\"%d\" y=\"%d\">mean rows per task</text>%n",
        left + 220, legendY - 4, left + 244, legendY - 4, MEAN, left + 250, legendY));
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static final String LARGEST = "#c0392b";
  private static final String OTHER = "#2e86c1";
  private static final String MEAN = "#27ae60";

  /** Writes {@value #JSON_FILE} and {@value #SVG_FILE} into {@code dir}. */
  @Override
  public void writeInto(FileSystem fs, Path dir) throws IOException {
    write(fs, new Path(dir, JSON_FILE), toJson());
    write(fs, new Path(dir, SVG_FILE), toSvg());
  }

  private static void write(FileSystem fs, Path path, String text) throws IOException {
    try (OutputStream out = fs.create(path, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
