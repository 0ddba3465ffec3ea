package io.nightjar.jobs.sensors;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.SensorReading;
import io.nightjar.common.avro.AvroInputCheck;
import io.nightjar.common.crunch.PipelineCounters;
import io.nightjar.common.crunch.ShuffleSettings;
import io.nightjar.common.dataset.DailyPublication;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.common.tool.DailyJobTool;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.ProjectOption;
import io.nightjar.common.tool.UsageException;
import io.nightjar.jobs.Catalog;
import io.nightjar.jobs.sensors.mapreduce.SensorAveragesJob;
import java.io.IOException;
import java.net.URI;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.io.From;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sensor-averages}: one UTC day of sensor readings (device CSV/TSV lines or Avro {@code SensorReading}s) to
 * per-sensor figures (count, min, max, sum, mean) per day, hour or minute, published as the day's folder of
 * {@code <root>/<project>/sensor-averages-<granularity>/} with bad readings in its {@code _quarantine}. With
 * {@code --dates FROM..TO} one run reads a multi-day input once and publishes each day on its own (one Crunch
 * pipeline, one filter per day on the figures and the quarantine); readings of other days are skipped and reported.
 */
@Command(name = "sensor-averages", sortOptions = false,
    description = "Reduce one UTC day of sensor readings to per-sensor figures (count, min, max, sum, mean).")
public final class SensorAveragesTool extends DailyJobTool<SensorAveragesTool.Resolved> {

  /** The format of the input files. */
  public enum InputFormat { AUTO, AVRO, TEXT }

  @Option(names = "--date", paramLabel = "yyyy-MM-dd", description = "The UTC day to process.")
  private LocalDate date;

  @Option(names = "--dates", paramLabel = "FROM..TO",
      description = "Several UTC days at once (at most " + MAX_DAYS + "), e.g. for device files that cross midnight: "
          + "the input is read once and each day is published on its own, atomically, with its own accounting.")
  private String dates;

  /** Days one run may publish: four accounting counters a day stay well under Hadoop's 120 per job. */
  static final int MAX_DAYS = 14;

  @Mixin
  private final ProjectOption project = new ProjectOption(Catalog.SENSORS);

  @Option(names = "--input", paramLabel = "PATH",
      description = "Readings to read: a file, folder or glob (default: <root>/<project>/readings/<date>; "
          + "required with --dates).")
  private String input;

  @Option(names = "--input-format", defaultValue = "auto",
      description = "avro, text (CSV/TSV lines) or auto: avro when every input file ends in .avro (default: ${DEFAULT-VALUE}).")
  private String inputFormat;

  @Option(names = "--granularity", defaultValue = "day", description = "day, hour or minute (default: ${DEFAULT-VALUE}).")
  private String granularity;

  @Option(names = "--dataset", paramLabel = "NAME",
      description = "Output dataset (default: sensor-averages-<granularity>).")
  private String dataset;

  @Option(names = "--duplicates", defaultValue = "remove",
      description = "remove: keep one reading per sensor and timestamp, quarantine conflicting ones (a shuffle of every "
          + "reading); keep: trust the input to hold no repeats and skip that shuffle (default: ${DEFAULT-VALUE}).")
  private String duplicates;

  @Option(names = "--engine", defaultValue = "crunch", paramLabel = "crunch|mapreduce",
      description = "crunch: the Crunch pipeline; mapreduce: the classic MapReduce job (one --date only). Both remove "
          + "duplicates in the same shuffle as the aggregation and publish the same figures, quarantine and "
          + "accounting (default: ${DEFAULT-VALUE}).")
  private Engine engine;

  /** The two implementations of the same job. */
  enum Engine { CRUNCH, MAPREDUCE }

  @Option(names = "--allow-empty-input", description = "Publish an empty day when there are no readings, instead of failing.")
  private boolean allowEmptyInput;

  /** What the run reads and writes, resolved once (the input globbed and its format seen). */
  record Resolved(Path input, InputFormat format, Granularity granularity, boolean removeDuplicates,
      boolean mapReduceEngine, List<LocalDate> days, Dataset output, List<String> notRead) implements DailyPlan {
    /** The day, or the first of several. */
    @Override
    public LocalDate date() {
      return days.get(0);
    }

    @Override
    public LinkedHashMap<String, Object> describe() {
      LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
      plan.put("input", input);
      plan.put("input format", format.name().toLowerCase());
      if (!notRead.isEmpty()) {
        plan.put("input not read", String.join("; ", notRead));
      }
      plan.put("granularity", granularity);
      plan.put("duplicates", removeDuplicates ? "remove" : "keep");
      plan.put("engine", mapReduceEngine ? "mapreduce" : "crunch");
      for (LocalDate day : days) {
        String suffix = days.size() == 1 ? "" : " " + day;
        plan.put("output" + suffix, output.dayPath(day));
        plan.put("quarantine" + suffix, output.quarantinePath(day));
      }
      return plan;
    }
  }

  @Override
  protected Resolved plan() throws IOException {
    Dataset output = output();
    Path input = inputPath();
    List<String> notRead = new ArrayList<>();
    InputFormat format = resolvedFormat(input, notRead);
    return new Resolved(input, format, granularity(), removeDuplicates(), engine == Engine.MAPREDUCE, days(),
        output, List.copyOf(notRead));
  }

  @Override
  protected int execute(Resolved plan) throws IOException {
    if (!plan.notRead().isEmpty()) {
      // Named, not silently dropped: a file a device or an upstream job put where Hadoop does not look.
      out.printf("sensor-averages: %d input entr%s not read: %s%n", plan.notRead().size(),
          plan.notRead().size() == 1 ? "y" : "ies", String.join("; ", plan.notRead()));
    }
    if (plan.removeDuplicates() && plan.mapReduceEngine()) {
      ShuffleSettings.everyRecordShuffled(getConf()); // every reading crosses the shuffle as a record of its own
    } else if (plan.removeDuplicates()) {
      ShuffleSettings.batchesShuffled(getConf()); // readings cross it in batches per sensor and hour
    }
    if (plan.mapReduceEngine() && dates != null) {
      throw new UsageException("--engine mapreduce publishes one day: give --date, not --dates");
    }
    if (plan.mapReduceEngine() && plan.format() == InputFormat.AVRO) {
      // avro-mapred's reader does not check blocks as it reads them: walk them here.
      AvroInputCheck.requireReadableEveryBlock(getConf(), SensorReading.getClassSchema(), List.of(plan.input()));
    }
    publish(plan);
    return 0;
  }

  /**
   * One day: the figures and the quarantine as they are. Several days: one pipeline, each day filtered from the
   * figures and the quarantine and published on its own. The classic MapReduce form ({@link SensorAveragesJob}): one
   * job writes the day's staging folders, published and accounted as the pipeline's are.
   */
  @Override
  protected Flow flow(Stage stage, Resolved plan) throws IOException {
    if (plan.mapReduceEngine()) {
      return Flow.ran(List.of(mapReduce(stage, plan))).reads(plan.input()).gateOfDay(this::notEmpty);
    }
    Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> figures = figures(stage.pipeline(), plan);
    Flow flow = plan.days().size() == 1 ? Flow.of(figures.first(), figures.second())
        : Flow.ofDays(day -> SensorAverages.ofDay(figures.first(), day),
            day -> SensorAverages.quarantineOfDay(figures.second(), day));
    return flow.reads(plan.input()).gateOfDay(this::notEmpty);
  }

  /** Runs the classic MapReduce job into the day's staging folders. */
  private PipelineResult mapReduce(Stage stage, Resolved plan) throws IOException {
    Job job = SensorAveragesJob.create(getConf(), plan.input(), plan.format() == InputFormat.AVRO, plan.date(),
        plan.granularity(), plan.removeDuplicates(), stage.data());
    try {
      return SensorAveragesJob.run(job, stage.quarantine());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobFailedException("interrupted; " + plan.output().dayPath(plan.date()) + " not published");
    }
  }

  /** Reports readings of days not asked for, once every day is published or refused. */
  @Override
  protected void finished(Resolved plan, List<PipelineResult> runs) throws IOException {
    reportOtherDays(plan, PipelineCounters.group(runs, SensorAverages.OTHER_DAYS),
        PipelineCounters.group(runs, SensorAverages.UNDATED));
  }

  @Override
  protected List<String> configurationKeys() {
    List<String> keys = new ArrayList<>(super.configurationKeys());
    keys.add(ShuffleSettings.SORT_MB_HELP + " (--duplicates remove --engine mapreduce)");
    keys.add(ShuffleSettings.REDUCE_INPUT_BUFFER_HELP + " (--duplicates remove)");
    keys.add(ShuffleSettings.BYTES_PER_REDUCE_TASK_HELP + " (--duplicates remove)");
    return keys;
  }

  @Override
  protected String published(Resolved plan, Run run) {
    RecordAccounting accounting = run.accounting();
    return String.format("(%d figures from %d readings); %d quarantined in %s; %d skipped", accounting.written(),
        accounting.out(), accounting.quarantined(), plan.output().quarantinePath(run.date()), accounting.skipped());
  }

  /** The figures of the plan's days and the quarantined readings, duplicates removed if asked. */
  private static Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> figures(Pipeline pipeline,
      Resolved plan) throws IOException {
    List<LocalDate> days = plan.days();
    Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> checked =
        readReadings(plan, pipeline, days.get(0), days.get(days.size() - 1));
    if (!plan.removeDuplicates()) {
      return Pair.of(SensorAverages.figures(checked.first(), plan.granularity()), checked.second());
    }
    // One shuffle: duplicates resolved where the sensor-period is aggregated.
    Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> distinct =
        SensorAverages.distinctFigures(checked.first(), plan.granularity(), days.size() > 1);
    return Pair.of(distinct.first(), checked.second().union(distinct.second()));
  }

  /** Refuses to publish a day without readings, unless {@code --allow-empty-input}. */
  private DailyPublication.Gate notEmpty(LocalDate day) {
    return accounting -> {
      if (accounting.out() + accounting.quarantined() == 0 && !allowEmptyInput) {
        throw new JobFailedException("no readings of " + day + " in the input (pass --allow-empty-input to "
            + "publish an empty day)");
      }
    };
  }

  /**
   * Says how many readings belonged to days not asked for, and the command that publishes (or recomputes) such a day
   * over its usual readings and these; warns when lines without a plausible timestamp (none, or years away) were quarantined by a run whose input
   * holds other days too (a run of those days over the same input quarantines them again).
   */
  private void reportOtherDays(Resolved plan, Map<String, Long> otherDays, Map<String, Long> undated)
      throws IOException {
    Dataset output = plan.output();
    FileSystem fs = output.path().getFileSystem(getConf());
    String options = " --project " + project.get() + " --dataset " + output.name() + " --granularity "
        + plan.granularity().name().toLowerCase() + " --duplicates " + duplicates + " --input-format " + inputFormat;
    Path input = plan.input();
    for (Map.Entry<String, Long> other : new TreeMap<>(otherDays).entrySet()) {
      LocalDate day = LocalDate.parse(other.getKey());
      Path usual = Dataset.of(getConf(), project.get(), Catalog.READINGS).dayPath(day);
      // Whether that day's run read these readings is not recorded: say what is known and what to do either way.
      out.printf("%,d readings of %s skipped (not asked for): %s%n", other.getValue(), day,
          output.isPublished(fs, day)
              ? day + " is published; if its run did not read this input, recompute it over "
              + recomputeOver(fs, day, usual, input, options)
              : "to publish that day, run sensor-averages --dates " + day + ".." + day + " --input " + input
              + options);
    }
    long undatedLines = undated.getOrDefault(SensorAverages.UNDATED_QUARANTINED, 0L);
    if (undatedLines > 0 && !otherDays.isEmpty()) {
      LocalDate first = plan.days().get(0);
      out.printf("%,d lines without a plausible timestamp were quarantined in %s; the input also holds readings of %s, "
              + "whose runs over it quarantine them again: read it once for all its days with --dates%n",
          undatedLines, first, String.join(", ", new TreeMap<>(otherDays).keySet()));
    }
  }

  /**
   * What a published {@code day} is recomputed over, with the command: its usual readings and {@code input} in one
   * glob where they can be, {@code input} alone where the day has no usual readings.
   */
  private static String recomputeOver(FileSystem fs, LocalDate day, Path usual, Path input, String options)
      throws IOException {
    String command = "sensor-averages --dates " + day + ".." + day + " --input ";
    if (!fs.exists(usual)) {
      return "these: " + command + input + options + " (the rerun replaces the day)";
    }
    String both = bothInputs(fs, usual, input);
    return both == null ? "its readings and these (one --input for both: copy them into one folder)"
        : "its own readings and these: " + command + "'" + both + "'" + options + " (the rerun replaces the day)";
  }

  /**
   * One glob for both paths ({@code hdfs://nn/{a/b,c/d}}: Hadoop expands braces holding slashes), or null when they
   * are on different file systems or a path holds a glob's own characters.
   */
  static String bothInputs(FileSystem fs, Path usual, Path input) {
    Path qualifiedInput = fs.makeQualified(input);
    Path qualifiedUsual = fs.makeQualified(usual);
    URI a = qualifiedUsual.toUri();
    URI b = qualifiedInput.toUri();
    if (!Objects.equals(a.getScheme(), b.getScheme()) || !Objects.equals(a.getAuthority(), b.getAuthority())
        || (a.getPath() + b.getPath()).matches(".*[,{}\\[\\]*?\\\\].*")) {
      return null;
    }
    String root = new Path(a.getScheme(), a.getAuthority(), "/").toString();
    return root + "{" + a.getPath().substring(1) + "," + b.getPath().substring(1) + "}";
  }

  private static Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> readReadings(Resolved plan,
      Pipeline pipeline, LocalDate from, LocalDate to) throws IOException {
    if (plan.format() == InputFormat.AVRO) {
      return SensorAverages.check(Dataset.readAvro(pipeline, plan.input(), Avros.specifics(SensorReading.class)),
          from, to);
    }
    return SensorAverages.parseLines(pipeline.read(From.textFile(plan.input())), from, to);
  }

  /** The days to publish: {@code --date}, or every day of {@code --dates FROM..TO}. */
  private List<LocalDate> days() {
    if ((date == null) == (dates == null)) {
      throw new UsageException("give either --date DAY or --dates FROM..TO");
    }
    if (date != null) {
      return List.of(date);
    }
    String[] range = dates.split("\\.\\.", -1);
    LocalDate from;
    LocalDate to;
    try {
      from = LocalDate.parse(range[0].trim());
      to = LocalDate.parse(range[range.length - 1].trim());
    } catch (DateTimeParseException e) {
      throw new UsageException("--dates must be FROM..TO (yyyy-MM-dd..yyyy-MM-dd), not '" + dates + "'");
    }
    if (range.length != 2 || to.isBefore(from) || from.plusDays(MAX_DAYS - 1).isBefore(to)) {
      throw new UsageException("--dates must be FROM..TO with FROM <= TO, at most " + MAX_DAYS + " days, not '"
          + dates + "'");
    }
    if (input == null) {
      throw new UsageException("--dates needs --input: the readings that cover those days");
    }
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      days.add(day);
    }
    return days;
  }

  private Dataset output() throws IOException {
    String name = dataset != null ? dataset : Catalog.sensorAverages(granularity().name().toLowerCase());
    return Dataset.of(getConf(), project.get(), name);
  }

  private boolean removeDuplicates() {
    if (!duplicates.equals("remove") && !duplicates.equals("keep")) {
      throw new UsageException("--duplicates must be remove or keep, not '" + duplicates + "'");
    }
    return duplicates.equals("remove");
  }

  private Granularity granularity() {
    try {
      return Granularity.valueOf(granularity.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--granularity must be day, hour or minute, not '" + granularity + "'");
    }
  }

  private Path inputPath() throws IOException {
    if (input != null) {
      Path path = new Path(input);
      return path.getFileSystem(getConf()).makeQualified(path);
    }
    return Dataset.of(getConf(), project.get(), Catalog.READINGS).dayPath(days().get(0));
  }

  /**
   * The input format, looking at the input files when {@code auto}; fails clearly on missing or empty input. Adds to
   * {@code notRead} every entry of the input that the job will not read, with why: hidden files (names starting with
   * {@code _} or {@code .}, which Hadoop's input formats skip; the {@code _SUCCESS} flag aside) and folders inside the
   * input (not read recursively).
   */
  private InputFormat resolvedFormat(Path path, List<String> notRead) throws IOException {
    InputFormat format;
    try {
      format = InputFormat.valueOf(inputFormat.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--input-format must be auto, avro or text, not '" + inputFormat + "'");
    }
    FileSystem fs = path.getFileSystem(getConf());
    FileStatus[] matches = fs.globStatus(path);
    if (matches == null || matches.length == 0) {
      throw new JobFailedException("no input at " + path);
    }
    int files = 0;
    int avroFiles = 0;
    for (FileStatus match : matches) {
      for (FileStatus file : match.isDirectory() ? fs.listStatus(match.getPath()) : new FileStatus[] {match}) {
        String name = file.getPath().getName();
        if (file.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
          files++;
          avroFiles += name.endsWith(".avro") ? 1 : 0;
        } else if (file.isDirectory()) {
          notRead.add(file.getPath() + "/ (a folder inside the input: not read; name it in --input, e.g. a glob)");
        } else if (!name.equals(Dataset.SUCCESS_FLAG)) {
          notRead.add(file.getPath() + " (hidden: the name starts with '" + name.charAt(0) + "')");
        }
      }
    }
    if (files == 0 && !allowEmptyInput) {
      throw new JobFailedException("no input files under " + path
          + " (pass --allow-empty-input to publish an empty day)");
    }
    if (format != InputFormat.AUTO) {
      return format;
    }
    if (avroFiles > 0 && avroFiles < files) {
      throw new JobFailedException(path + " mixes .avro and other files; pass --input-format avro or text");
    }
    return files > 0 && avroFiles == files ? InputFormat.AVRO : InputFormat.TEXT;
  }
}
