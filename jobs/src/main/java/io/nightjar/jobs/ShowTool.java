package io.nightjar.jobs;

import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.avro.AvroInputCheck;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.Manifest;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Shows one published day of a dataset from any Hadoop file system, without other tools: where it is, its schema,
 * how many records (from the Avro block headers, so a day of terabytes costs a few reads per block), the first
 * records as JSON lines, and its quarantine by reason with a few refused raw inputs. Reads only the records it prints.
 */
@Command(name = "show", sortOptions = false,
    description = "Show a published day: schema, record count, first records, quarantine by reason.")
public final class ShowTool extends NightjarTool<Plan> {

  @Parameters(index = "0", paramLabel = "PROJECT/DATASET",
      description = "The dataset, e.g. sensors/sensor-averages-day or tracks/analysis/full.")
  private String dataset;

  @Option(names = "--date", paramLabel = "yyyy-MM-dd", description = "The day (default: the latest published).")
  private LocalDate date;

  @Option(names = "--records", defaultValue = "5", description = "Records to print (default: ${DEFAULT-VALUE}).")
  private int records;

  @Option(names = "--quarantined", defaultValue = "3",
      description = "Quarantined raw inputs to print (default: ${DEFAULT-VALUE}).")
  private int quarantined;

  @Override
  protected Plan plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("dataset", dataset().path());
    plan.put("day", date == null ? "latest published" : date);
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws IOException {
    Dataset data = dataset();
    FileSystem fs = data.path().getFileSystem(getConf());
    LocalDate day = date != null ? date : data.latestPublished(fs).orElseThrow(
        () -> new JobFailedException("no published day in " + data.path()));
    Path dir = data.dayPath(day);
    if (!fs.exists(dir)) {
      throw new JobFailedException("no " + dir + (data.isQuarantinePublished(fs, day)
          ? " (its quarantine is published: the day was refused; see below with --date of a published day)" : ""));
    }
    out.println(dir + (data.isPublished(fs, day) ? " (published)" : " (NOT published: no _SUCCESS)"));
    printManifest(Manifest.read(fs, dir));
    long count = AvroInputCheck.countRecords(fs, dir);
    List<FileStatus> files = AvroFiles.avroFileStatuses(fs, dir);
    out.printf("records: %,d in %d file(s), %,d bytes%n", count, files.size(),
        files.stream().mapToLong(FileStatus::getLen).sum());
    printRecords(fs, files);
    printQuarantine(fs, data.quarantinePath(day));
    return 0;
  }

  /** The manifest in a few lines: who made the day from what, and its accounting. */
  @SuppressWarnings("unchecked")
  private void printManifest(Map<String, Object> manifest) {
    if (manifest == null) {
      return;
    }
    if (manifest.isEmpty()) {
      out.println("manifest: none (an empty _SUCCESS: published before manifests, or by another tool)");
      return;
    }
    Map<String, Object> run = (Map<String, Object>) manifest.getOrDefault("run", Map.of());
    Map<String, Object> build = (Map<String, Object>) manifest.getOrDefault("nightjar", Map.of());
    out.printf("made by: %s %s (nightjar %s, commit %s)%n", manifest.get("tool"),
        String.join(" ", (List<String>) manifest.getOrDefault("arguments", List.of())), build.get("version"),
        build.get("commit"));
    out.printf("run: %s by %s on %s, %s to %s; jobs %s%n", run.get("id"), run.get("user"), run.get("host"),
        run.get("start"), run.get("end"), manifest.getOrDefault("jobs", List.of()));
    List<Map<String, Object>> inputs = (List<Map<String, Object>>) manifest.getOrDefault("inputs", List.of());
    Map<String, Object> example = inputs.stream().filter(input -> !input.get("path").toString().endsWith("/"
        + Dataset.SUCCESS_FLAG)).findFirst().orElse(inputs.isEmpty() ? null : inputs.get(0));
    out.printf("inputs: %s file(s), %,d bytes%s%n", manifest.get("inputFiles"),
        ((Number) manifest.getOrDefault("inputBytes", 0)).longValue(), example == null ? ""
            : ", e.g. " + example.get("path") + " (checksum " + example.get("checksum") + ")");
    out.printf("accounting: %s%n", manifest.get("accounting"));
  }

  private void printRecords(FileSystem fs, List<FileStatus> files) throws IOException {
    int printed = 0;
    for (FileStatus file : files) {
      try (InputStream in = fs.open(file.getPath());
          DataFileStream<GenericRecord> reader = new DataFileStream<>(in, new GenericDatumReader<>())) {
        if (printed == 0) {
          out.println("schema: " + reader.getSchema().toString(true));
          out.println("first records:");
        }
        while (reader.hasNext() && printed < records) {
          out.println(abbreviate(reader.next().toString(), MAX_RECORD_CHARS));
          printed++;
        }
      }
      if (printed >= records) {
        return;
      }
    }
  }

  private void printQuarantine(FileSystem fs, Path dir) throws IOException {
    if (!fs.exists(dir)) {
      out.println("quarantine: none published");
      return;
    }
    Map<String, Long> byReason = new TreeMap<>();
    long inputs = 0;
    StringBuilder samples = new StringBuilder();
    int sampled = 0;
    for (FileStatus file : AvroFiles.avroFileStatuses(fs, dir)) {
      try (InputStream in = fs.open(file.getPath()); DataFileStream<QuarantineRecord> reader =
          new DataFileStream<>(in, new SpecificDatumReader<>(QuarantineRecord.class))) {
        for (QuarantineRecord record : reader) {
          byReason.merge(record.getReason(), record.getRecords(), Long::sum);
          inputs += record.getRecords();
          if (sampled++ < quarantined) {
            samples.append(String.format("  %s: %s%n    raw: %s%n", record.getReason(), record.getDetail(),
                abbreviate(record.getRaw())));
          }
        }
      }
    }
    out.printf("quarantine: %,d input record(s)%s%n", inputs, byReason.isEmpty() ? "" : " by reason:");
    byReason.forEach((reason, n) -> out.printf("  %-24s %,d%n", reason, n));
    if (samples.length() > 0) {
      out.print("first quarantined:\n" + samples);
    }
  }

  private Dataset dataset() throws IOException {
    return Dataset.named(getConf(), dataset);
  }

  /** A record is printed up to this many characters (an analysis document is hundreds of KB). */
  private static final int MAX_RECORD_CHARS = 2000;

  private static String abbreviate(String raw) {
    return abbreviate(raw, 200);
  }

  private static String abbreviate(String raw, int max) {
    String line = raw.replace("\n", "\\n");
    return line.length() <= max ? line : line.substring(0, max) + "... (" + raw.length() + " chars)";
  }
}
