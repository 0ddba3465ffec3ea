package io.nightjar.jobs.sensors;

import io.nightjar.common.AvroInputCheck;
import io.nightjar.avro.Granularity;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.SensorReading;
import io.nightjar.common.DailyPublication;
import io.nightjar.common.Dataset;
import io.nightjar.common.JobFailedException;
import io.nightjar.common.NightjarTool;
import io.nightjar.common.RecordAccounting;
import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.Pipeline;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.io.From;
import org.apache.crunch.io.To;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sensor-averages}: one UTC day of sensor readings (device CSV/TSV lines or Avro {@code SensorReading}s) to
 * per-sensor figures (count, min, max, sum, mean) per day, hour or minute, published as the day's folder of
 * {@code <root>/<project>/sensor-averages-<granularity>/} with bad readings in its {@code _quarantine}.
 */
@Command(name = "sensor-averages", sortOptions = false,
    description = "Reduce one UTC day of sensor readings to per-sensor figures (count, min, max, sum, mean).")
public final class SensorAveragesTool extends NightjarTool {

  /** The format of the input files. */
  public enum InputFormat { AUTO, AVRO, TEXT }

  @Option(names = "--date", required = true, paramLabel = "yyyy-MM-dd", description = "The UTC day to process.")
  private LocalDate date;

  @Option(names = "--project", defaultValue = "sensors", description = "Project folder under the root (default: ${DEFAULT-VALUE}).")
  private String project;

  @Option(names = "--input", paramLabel = "PATH",
      description = "Readings to read: a file, folder or glob (default: <root>/<project>/readings/<date>).")
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

  @Option(names = "--allow-empty-input", description = "Publish an empty day when there are no readings, instead of failing.")
  private boolean allowEmptyInput;

  @Override
  protected LinkedHashMap<String, Object> plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    Dataset output = output();
    plan.put("input", inputPath());
    plan.put("input format", resolvedFormat().name().toLowerCase());
    plan.put("granularity", granularity());
    plan.put("duplicates", removeDuplicates() ? "remove" : "keep");
    plan.put("output", output.dayPath(date));
    plan.put("quarantine", output.quarantinePath(date));
    return plan;
  }

  @Override
  protected int execute() throws IOException {
    Dataset output = output();
    Pipeline pipeline = new MRPipeline(SensorAveragesTool.class, "nightjar sensor-averages " + date, getConf());
    try (DailyPublication day = DailyPublication.begin(getConf(), output, date)) {
      Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> checked = readReadings(pipeline);
      PCollection<SensorReading> readings = checked.first();
      PCollection<QuarantineRecord> quarantined = checked.second();
      if (removeDuplicates()) {
        Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> distinct = SensorAverages.deduplicate(readings);
        readings = distinct.first();
        quarantined = quarantined.union(distinct.second());
      }
      PCollection<SensorAggregate> figures = SensorAverages.figures(readings, granularity());

      pipeline.write(figures, To.avroFile(day.dataStaging()));
      pipeline.write(quarantined, To.avroFile(day.quarantineStaging()));
      RecordAccounting accounting = day.finish(pipeline.done());

      out.printf("sensor-averages %s: published %s (%d figures from %d readings); %d quarantined in %s; %d skipped%n",
          date, output.dayPath(date), accounting.written(), accounting.out(), accounting.quarantined(),
          output.quarantinePath(date), accounting.skipped());
      return 0;
    } finally {
      pipeline.cleanup(true);
    }
  }

  private Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> readReadings(Pipeline pipeline)
      throws IOException {
    Path path = inputPath();
    if (resolvedFormat() == InputFormat.AVRO) {
      AvroInputCheck.requireReadable(getConf(), SensorReading.getClassSchema(), java.util.List.of(path));
      return SensorAverages.check(pipeline.read(From.avroFile(path, Avros.specifics(SensorReading.class))), date);
    }
    return SensorAverages.parseLines(pipeline.read(From.textFile(path)), date);
  }

  private Dataset output() throws IOException {
    String name = dataset != null ? dataset : "sensor-averages-" + granularity().name().toLowerCase();
    return Dataset.of(getConf(), project, name);
  }

  private boolean removeDuplicates() {
    if (!duplicates.equals("remove") && !duplicates.equals("keep")) {
      throw new JobFailedException("--duplicates must be remove or keep, not '" + duplicates + "'");
    }
    return duplicates.equals("remove");
  }

  private Granularity granularity() {
    try {
      return Granularity.valueOf(granularity.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new JobFailedException("--granularity must be day, hour or minute, not '" + granularity + "'");
    }
  }

  private Path inputPath() throws IOException {
    if (input != null) {
      Path path = new Path(input);
      return path.getFileSystem(getConf()).makeQualified(path);
    }
    return Dataset.of(getConf(), project, "readings").dayPath(date);
  }

  /** The input format, looking at the input files when {@code auto}; fails clearly on missing or empty input. */
  private InputFormat resolvedFormat() throws IOException {
    InputFormat format;
    try {
      format = InputFormat.valueOf(inputFormat.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new JobFailedException("--input-format must be auto, avro or text, not '" + inputFormat + "'");
    }
    Path path = inputPath();
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
