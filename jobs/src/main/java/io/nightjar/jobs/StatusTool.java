package io.nightjar.jobs;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.DatasetLease;
import io.nightjar.common.dataset.Json;
import io.nightjar.common.dataset.Manifest;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code status}: the health of every dataset under a root at a glance, one row per dataset and one column per day,
 * from folder listings and the manifests in {@code _SUCCESS} (no Avro file is opened). A day is published
 * ({@code #}), published by a rerun ({@code R}: a replaced copy is still kept aside), being published ({@code ~}: a
 * live lease), failed ({@code F}: a dead run's lease or staging folder and no published day), late ({@code L}: not
 * published {@code --late-after-hours} after the day ended, for a dataset that published each of the 3 days before
 * it), or not there ({@code .}). A published day is flagged ({@code !}) when its records or its quarantine rate depart
 * from its dataset's previous published days (at least 5 of the last 14): more than 5 scaled median absolute
 * deviations from their median (the deviation at least 1 % of the median records, or 0.1 % of quarantine rate).
 * Exit 1 when a day is flagged, late or failed, so a cron job or an Oozie SLA action can alert on it.
 *
 * <p>Cost: a listing of each folder under the root down to the day folders, of each {@code _leases} folder, and one
 * small read per published day in the window and the 14 days before it.
 */
@Command(name = "status", sortOptions = false,
    description = "Every dataset under the root: one row per dataset, one column per day; exit 1 when a day is "
        + "late, failed or out of line with its history.")
public final class StatusTool extends NightjarTool<Plan> {

  @Option(names = "--days", defaultValue = "14", description = "Days shown, ending with --date (default: ${DEFAULT-VALUE}).")
  private int days;

  @Option(names = "--date", paramLabel = "yyyy-MM-dd", description = "The last day shown (default: today, UTC).")
  private LocalDate date;

  @Option(names = "--late-after-hours", defaultValue = "6",
      description = "A daily dataset's day is late this long after the day ended (default: ${DEFAULT-VALUE}).")
  private int lateAfterHours;

  @Option(names = "--json", description = "Print JSON for monitoring instead of the table.")
  private boolean json;

  @Option(names = "--svg", paramLabel = "FILE", description = "Also draw the grid as an SVG picture into FILE (local).")
  private java.io.File svg;

  static final int HISTORY_DAYS = 14;
  static final int MIN_HISTORY = 5;
  static final double MAD_LIMIT = 5;
  private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  /** One day of one dataset: its state, what it holds, and why it is flagged. */
  record Cell(char state, long records, double quarantineRate, String flag) {
  }

  @Override
  protected Plan plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("root", root());
    plan.put("days", first() + ".." + last());
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws IOException {
    Path root = root();
    FileSystem fs = root.getFileSystem(getConf());
    Map<String, Map<LocalDate, Cell>> grid = new TreeMap<>();
    for (Path dataset : datasets(fs, root)) {
      grid.put(relative(root, dataset), cells(fs, dataset));
    }
    List<String> flags = new ArrayList<>();
    grid.forEach((dataset, cells) -> cells.forEach((day, cell) -> {
      if (cell.flag() != null) {
        flags.add(dataset + " " + day + ": " + cell.flag());
      }
    }));
    if (json) {
      out.println(json(root, grid, flags));
    } else {
      printTable(root, grid, flags);
    }
    if (svg != null) {
      Files.writeString(svg.toPath(), svg(root, grid), StandardCharsets.UTF_8);
    }
    return flags.isEmpty() ? 0 : 1;
  }

  private Path root() throws IOException {
    Path root = new Path(getConf().get(Dataset.ROOT_KEY, Dataset.DEFAULT_ROOT));
    return root.getFileSystem(getConf()).makeQualified(root);
  }

  private LocalDate last() {
    return date != null ? date : LocalDate.now(ZoneOffset.UTC);
  }

  private LocalDate first() {
    return last().minusDays(Math.max(1, days) - 1);
  }

  /** Every folder under {@code root} that holds day folders, a lease or a quarantine folder, outside hidden ones. */
  static List<Path> datasets(FileSystem fs, Path root) throws IOException {
    List<Path> found = new ArrayList<>();
    collect(fs, root, found, 0);
    return found;
  }

  private static void collect(FileSystem fs, Path dir, List<Path> found, int depth) throws IOException {
    FileStatus[] children;
    try {
      children = fs.listStatus(dir);
    } catch (FileNotFoundException e) {
      return;
    }
    boolean isDataset = false;
    List<Path> folders = new ArrayList<>();
    for (FileStatus child : children) {
      String name = child.getPath().getName();
      if (!child.isDirectory()) {
        continue;
      }
      if (DAY.matcher(name).matches() || name.equals(DatasetLease.LEASE_DIR) || name.equals(Dataset.QUARANTINE_DIR)) {
        isDataset = true;
      } else if (!name.startsWith("_") && !name.startsWith(".")) {
        folders.add(child.getPath());
      }
    }
    if (isDataset) {
      found.add(dir);
    }
    if (depth < 4) {
      for (Path folder : folders) {
        collect(fs, folder, found, depth + 1);
      }
    }
  }

  /** The cells of one dataset over the window, from one listing of it and of its leases. */
  private Map<LocalDate, Cell> cells(FileSystem fs, Path dataset) throws IOException {
    Set<String> names = new TreeSet<>();
    for (FileStatus child : fs.listStatus(dataset)) {
      names.add(child.getPath().getName());
    }
    Set<String> quarantined = new TreeSet<>();
    if (names.contains(Dataset.QUARANTINE_DIR)) {
      for (FileStatus day : fs.listStatus(new Path(dataset, Dataset.QUARANTINE_DIR))) {
        quarantined.add(day.getPath().getName());
      }
    }
    Map<String, Path> leases = new TreeMap<>();
    if (names.contains(DatasetLease.LEASE_DIR)) {
      for (FileStatus lease : fs.listStatus(new Path(dataset, DatasetLease.LEASE_DIR))) {
        leases.put(lease.getPath().getName(), lease.getPath());
      }
    }
    // Records and quarantine rates of published days, oldest first, for the history of each day shown.
    Map<LocalDate, Map<String, Object>> manifests = new TreeMap<>();
    for (LocalDate day = first().minusDays(HISTORY_DAYS); !day.isAfter(last()); day = day.plusDays(1)) {
      if (names.contains(day.toString())) {
        Map<String, Object> manifest;
        try {
          manifest = Manifest.read(fs, new Path(dataset, day.toString()));
        } catch (IOException e) {
          manifest = new LinkedHashMap<>(); // unreadable (permissions): published, nothing known of it
        }
        if (manifest != null) {
          manifests.put(day, manifest);
        }
      }
    }
    Map<LocalDate, Cell> cells = new LinkedHashMap<>();
    Instant now = Instant.now();
    for (LocalDate day = first(); !day.isAfter(last()); day = day.plusDays(1)) {
      String text = day.toString();
      Map<String, Object> manifest = manifests.get(day);
      if (manifest != null) {
        boolean rerun = names.stream().anyMatch(name -> name.startsWith("_superseded-" + text + "-"));
        long records = manifest.containsKey("records") ? number(manifest, "records") : -1;
        double rate = quarantineRate(manifest);
        cells.put(day, new Cell(rerun ? 'R' : '#', records, rate,
            records < 0 ? null : outlier(manifests, day, records, rate))); // no manifest: nothing to compare
        continue;
      }
      Path lease = leases.get(text);
      boolean staging = names.stream().anyMatch(name -> name.startsWith("_staging-" + text + "-"));
      String stale = lease == null ? null : DatasetLease.staleness(getConf(), fs, lease);
      if (lease != null && stale == null) {
        cells.put(day, new Cell('~', 0, 0, null));
      } else if (quarantined.contains(text) && fs.exists(new Path(new Path(dataset, Dataset.QUARANTINE_DIR),
          new Path(text, Dataset.SUCCESS_FLAG)))) {
        cells.put(day, new Cell('F', 0, 0, "refused: its quarantine is published, the data not (too much input "
            + "quarantined, or a check failed); see the quarantine, fix the input, rerun the day"));
      } else if (lease != null || staging) {
        cells.put(day, new Cell('F', 0, 0, "failed: " + (stale != null ? "a dead run's lease (" + stale + ")"
            : "a staging folder left by a run that ended") + "; rerun the day"));
      } else if (daily(manifests, day) && now.isAfter(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()
          .plusSeconds(3_600L * lateAfterHours))) {
        cells.put(day, new Cell('L', 0, 0, "late: not published " + lateAfterHours + " h after the day ended"));
      } else {
        cells.put(day, new Cell('.', 0, 0, null));
      }
    }
    return cells;
  }

  /** Whether the dataset published each of the 3 days before {@code day}: a daily rhythm that this day breaks. */
  private static boolean daily(Map<LocalDate, Map<String, Object>> manifests, LocalDate day) {
    for (int back = 1; back <= 3; back++) {
      if (!manifests.containsKey(day.minusDays(back))) {
        return false;
      }
    }
    return true;
  }

  /** Why a published day is out of line with the previous published days, or null (see the class comment). */
  static String outlier(Map<LocalDate, Map<String, Object>> manifests, LocalDate day, long records, double rate) {
    List<Double> recordHistory = new ArrayList<>();
    List<Double> rateHistory = new ArrayList<>();
    for (Map.Entry<LocalDate, Map<String, Object>> earlier : manifests.entrySet()) {
      if (earlier.getKey().isBefore(day) && !earlier.getKey().isBefore(day.minusDays(HISTORY_DAYS))
          && earlier.getValue().containsKey("records")) {
        recordHistory.add((double) number(earlier.getValue(), "records"));
        rateHistory.add(quarantineRate(earlier.getValue()));
      }
    }
    if (recordHistory.size() < MIN_HISTORY) {
      return null;
    }
    String recordsFlag = departs(records, recordHistory, 0.01, 1);
    if (recordsFlag != null) {
      return String.format("%,d records, %s", records, recordsFlag);
    }
    String rateFlag = departs(rate, rateHistory, 0, 0.001);
    return rateFlag == null ? null : String.format("quarantine rate %.4f, %s", rate, rateFlag);
  }

  /** "median M over N days, more than 5 deviations of D", or null when {@code value} is within them. */
  static String departs(double value, List<Double> history, double relativeFloor, double absoluteFloor) {
    double median = median(history);
    List<Double> deviations = new ArrayList<>();
    for (double earlier : history) {
      deviations.add(Math.abs(earlier - median));
    }
    // 1.4826 x MAD estimates the standard deviation of normal data.
    double deviation = Math.max(1.4826 * median(deviations), Math.max(relativeFloor * Math.abs(median),
        absoluteFloor));
    return Math.abs(value - median) > MAD_LIMIT * deviation ? String.format("median %.4g over the %d days before, "
        + "more than %.0f deviations of %.3g away", median, history.size(), MAD_LIMIT, deviation) : null;
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  @SuppressWarnings("unchecked")
  private static double quarantineRate(Map<String, Object> manifest) {
    Map<String, Object> accounting = (Map<String, Object>) manifest.get("accounting");
    if (accounting == null) {
      return 0;
    }
    long in = number(accounting, "in");
    return in == 0 ? 0 : number(accounting, "quarantined") / (double) in;
  }

  private static long number(Map<String, Object> map, String key) {
    Object value = map.get(key);
    return value instanceof Number ? ((Number) value).longValue() : 0;
  }

  private static String relative(Path root, Path dataset) {
    String path = dataset.toUri().getPath();
    String rootPath = root.toUri().getPath();
    return path.length() <= rootPath.length() ? "(the root itself)" : path.substring(rootPath.length() + 1);
  }

  private void printTable(Path root, Map<String, Map<LocalDate, Cell>> grid, List<String> flags) {
    int width = grid.keySet().stream().mapToInt(String::length).max().orElse(7);
    out.printf("%s, %s..%s (# published, R rerun, ~ running, F failed, L late, . none, ! flagged)%n", root, first(),
        last());
    StringBuilder header = new StringBuilder(String.format("%-" + width + "s ", "dataset"));
    for (LocalDate day = first(); !day.isAfter(last()); day = day.plusDays(1)) {
      header.append(day.getDayOfMonth() < 10 ? " " + day.getDayOfMonth() : day.getDayOfMonth()).append(' ');
    }
    out.println(header.append(" last: records, quarantined"));
    grid.forEach((dataset, cells) -> {
      StringBuilder row = new StringBuilder(String.format("%-" + width + "s ", dataset));
      Cell latest = null;
      for (Cell cell : cells.values()) {
        row.append(' ').append(cell.flag() != null && (cell.state() == '#' || cell.state() == 'R') ? '!'
            : cell.state()).append(' ');
        latest = cell.state() == '#' || cell.state() == 'R' ? cell : latest;
      }
      out.println(row.append(latest == null ? "" : latest.records() < 0 ? " (no manifest)"
          : String.format(" %,d, %.2f%%", latest.records(), 100 * latest.quarantineRate())));
    });
    out.println(flags.isEmpty() ? "nothing flagged" : flags.size() + " flagged:");
    flags.forEach(flag -> out.println("  " + flag));
  }

  private String json(Path root, Map<String, Map<LocalDate, Cell>> grid, List<String> flags) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("root", root.toString());
    json.put("from", first().toString());
    json.put("to", last().toString());
    Map<String, Object> datasets = new LinkedHashMap<>();
    grid.forEach((dataset, cells) -> {
      Map<String, Object> byDay = new LinkedHashMap<>();
      cells.forEach((day, cell) -> {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("state", String.valueOf(cell.state()));
        if ((cell.state() == '#' || cell.state() == 'R') && cell.records() >= 0) {
          entry.put("records", cell.records());
          entry.put("quarantineRate", cell.quarantineRate());
        }
        if (cell.flag() != null) {
          entry.put("flag", cell.flag());
        }
        byDay.put(day.toString(), entry);
      });
      datasets.put(dataset, byDay);
    });
    json.put("datasets", datasets);
    json.put("flagged", flags);
    return Json.pretty(json);
  }

  /** The grid as a picture: a square per day, coloured by state, flagged days outlined in red. */
  private String svg(Path root, Map<String, Map<LocalDate, Cell>> grid) {
    int label = 12 + 7 * grid.keySet().stream().mapToInt(String::length).max().orElse(7);
    int cell = 18;
    int columns = (int) (last().toEpochDay() - first().toEpochDay() + 1);
    int width = Math.max(720, label + columns * cell + 20);
    int height = 60 + grid.size() * cell + 40;
    StringBuilder svg = new StringBuilder(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" "
        + "fill=\"white\"/>%n<text x=\"8\" y=\"18\" font-size=\"14\">nightjar status: %s, %s..%s</text>%n", width,
        height, escape(root.toString()), first(), last()));
    int y = 50;
    int dayX = label;
    for (LocalDate day = first(); !day.isAfter(last()); day = day.plusDays(1)) {
      if (columns <= 62 || day.getDayOfMonth() == 1) {
        svg.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"9\">%s</text>%n", dayX, y - 4,
            columns <= 62 ? String.valueOf(day.getDayOfMonth()) : day.toString().substring(0, 7)));
      }
      dayX += cell;
    }
    for (Map.Entry<String, Map<LocalDate, Cell>> row : grid.entrySet()) {
      svg.append(String.format("<text x=\"8\" y=\"%d\">%s</text>%n", y + 12, escape(row.getKey())));
      int x = label;
      for (Map.Entry<LocalDate, Cell> day : row.getValue().entrySet()) {
        Cell c = day.getValue();
        svg.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"%s><title>%s %s: "
                + "%s</title></rect>%n", x, y, cell - 2, cell - 2, colour(c.state()),
            c.flag() != null ? " stroke=\"#c0392b\" stroke-width=\"3\"" : "", escape(row.getKey()), day.getKey(),
            escape(c.flag() != null ? c.flag() : String.valueOf(c.state()))));
        x += cell;
      }
      y += cell;
    }
    svg.append(String.format("<text x=\"8\" y=\"%d\">green published, blue rerun, grey none, yellow running, "
        + "orange late, red failed; a red outline: flagged</text>%n</svg>%n", y + 24));
    return svg.toString();
  }

  private static String colour(char state) {
    switch (state) {
      case '#': return "#27ae60";
      case 'R': return "#2e86c1";
      case '~': return "#f4d03f";
      case 'L': return "#e67e22";
      case 'F': return "#c0392b";
      default: return "#e5e7e9";
    }
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
