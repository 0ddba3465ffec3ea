package io.nightjar.jobs;

import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.DailyPublication;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.Manifest;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code verify}: whether a published day still is what its inputs give. It reads the day's manifest, checks that
 * every input file it names is unchanged (length, modification time, checksum where the file system has one) and that
 * no file was added to what the run read, then runs the same tool with the same arguments into a scratch root beside
 * the datasets ({@link DailyPublication#VERIFY_INTO_KEY}: inputs read where they are, nothing of the real datasets
 * touched, retention skipped) and compares the record sets of the day and its quarantine. Exit 0 equal, 1 not (the
 * changed inputs or the differing records named). Cost: one run of the tool.
 */
@Command(name = "verify", sortOptions = false,
    description = "Recompute a published day from the inputs its manifest names and say whether it is equal.")
public final class VerifyTool extends NightjarTool<Plan> {

  @Parameters(index = "0", paramLabel = "PROJECT/DATASET", description = "The dataset, e.g. sensors/sensor-averages-day.")
  private String dataset;

  @Option(names = "--date", required = true, paramLabel = "yyyy-MM-dd", description = "The published day.")
  private LocalDate date;

  /** Record differences shown at most. */
  static final int SHOWN = 3;

  @Override
  protected Plan plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("day", dataset().dayPath(date));
    return Plan.of(plan);
  }

  @Override
  @SuppressWarnings("unchecked")
  protected int execute(Plan plan) throws Exception {
    Dataset data = dataset();
    Path day = data.dayPath(date);
    FileSystem fs = day.getFileSystem(getConf());
    Map<String, Object> manifest = Manifest.read(fs, day);
    if (manifest == null) {
      throw new JobFailedException(day + " is not published");
    }
    if (manifest.isEmpty()) {
      throw new JobFailedException(day + " has no manifest (an empty _SUCCESS: published before manifests, or by "
          + "another tool): nothing to verify against");
    }
    List<String> changed = changedInputs(manifest);
    if (!changed.isEmpty()) {
      out.printf("verify %s %s: not equal: %d input(s) changed since it was published: %s%n", dataset, date,
          changed.size(), String.join("; ", changed));
      return 1;
    }
    String toolName = String.valueOf(manifest.get("tool"));
    if (toolName.equals("promote-import") || toolName.equals("s3-import")) {
      // An import's inputs are S3 objects, which no manifest lists, and a rerun carries over the published import;
      // a promotion renames files. Neither can be recomputed beside itself.
      throw new JobFailedException(day + " was made by " + toolName + " from S3 objects, which its manifest does not "
          + "list: it cannot be recomputed; verify the days computed from it (tracks/attributes, say)");
    }
    Tool tool = Main.tool(toolName);
    if (tool == null) {
      throw new JobFailedException(day + " was made by '" + toolName + "', which this nightjar does not have");
    }
    Path root = new Path(getConf().get(Dataset.ROOT_KEY, Dataset.DEFAULT_ROOT));
    Path scratch = fs.makeQualified(new Path(root, "_verify-" + UUID.randomUUID()));
    try {
      Configuration conf = new Configuration(getConf());
      ((Map<String, String>) manifest.getOrDefault("settings", Map.of())).forEach(conf::set);
      conf.set(DailyPublication.VERIFY_INTO_KEY, scratch.toString());
      List<String> args = (List<String>) manifest.getOrDefault("arguments", List.of());
      out.printf("verify %s %s: running %s %s into %s%n", dataset, date, toolName, String.join(" ", args), scratch);
      int status = ToolRunner.run(conf, tool, args.toArray(new String[0]));
      if (status != 0) {
        out.printf("verify %s %s: not equal: the rerun exited %d%n", dataset, date, status);
        return 1;
      }
      Configuration scratchConf = new Configuration(getConf());
      scratchConf.set(Dataset.ROOT_KEY, scratch.toString());
      Dataset again = Dataset.of(scratchConf, data.project(), data.name());
      List<String> differences = new ArrayList<>();
      compare("records", fs, day, again.dayPath(date), differences);
      compare("quarantine", fs, data.quarantinePath(date), again.quarantinePath(date), differences);
      if (differences.isEmpty()) {
        out.printf("verify %s %s: equal: %,d records and the quarantine, computed again from %s input file(s)%n",
            dataset, date, AvroFiles.count(fs, day), manifest.get("inputFiles"));
        return 0;
      }
      out.printf("verify %s %s: not equal: %s%n", dataset, date, String.join("; ", differences));
      return 1;
    } finally {
      fs.delete(scratch, true);
    }
  }

  /** Each input file of the manifest that is gone or changed, and files added to what the run read. */
  @SuppressWarnings("unchecked")
  private List<String> changedInputs(Map<String, Object> manifest) throws IOException {
    List<String> changed = new ArrayList<>();
    List<Map<String, Object>> inputs = (List<Map<String, Object>>) manifest.getOrDefault("inputs", List.of());
    for (Map<String, Object> input : inputs) {
      Path path = new Path(String.valueOf(input.get("path")));
      FileSystem fs = path.getFileSystem(getConf());
      FileStatus status;
      try {
        status = fs.getFileStatus(path);
      } catch (FileNotFoundException e) {
        changed.add(path + " is gone");
        continue;
      }
      long bytes = ((Number) input.get("bytes")).longValue();
      if (status.getLen() != bytes) {
        changed.add(path + " is " + status.getLen() + " bytes, was " + bytes);
      } else if (!Instant.ofEpochMilli(status.getModificationTime()).toString().equals(input.get("modified"))) {
        changed.add(path + " was modified at " + Instant.ofEpochMilli(status.getModificationTime()) + ", was "
            + input.get("modified"));
      } else if (input.get("checksum") != null) {
        FileChecksum checksum = fs.getFileChecksum(path);
        if (checksum != null && !Objects.equals(checksum.toString(), input.get("checksum"))) {
          changed.add(path + " has another checksum");
        }
      }
    }
    // Files now matched by what the run read that it did not list (listed only when there were few enough).
    long listed = ((Number) manifest.getOrDefault("inputFiles", 0)).longValue();
    if (listed == inputs.size()) {
      List<Path> reads = new ArrayList<>();
      for (String read : (List<String>) manifest.getOrDefault("reads", List.of())) {
        reads.add(new Path(read));
      }
      Set<String> before = new HashSet<>();
      inputs.forEach(input -> before.add(String.valueOf(input.get("path"))));
      for (FileStatus file : Manifest.inputFiles(getConf(), reads)) {
        if (!before.contains(file.getPath().toString())) {
          changed.add(file.getPath() + " is new");
        }
      }
    }
    return changed;
  }

  /** Adds what differs between the record sets (as text, sorted) of two folders of Avro files. */
  private static void compare(String what, FileSystem fs, Path published, Path again, List<String> differences)
      throws IOException {
    List<String> expected = AvroFiles.recordsAsText(fs, published);
    List<String> actual = AvroFiles.recordsAsText(fs, again);
    if (expected.equals(actual)) {
      return;
    }
    List<String> onlyPublished = minus(expected, actual);
    List<String> onlyAgain = minus(actual, expected);
    differences.add(String.format("%s: %d only in the published day%s, %d only in the recomputed one%s", what,
        onlyPublished.size(), sample(onlyPublished), onlyAgain.size(), sample(onlyAgain)));
  }

  /** The records of {@code a} not in {@code b}, counting repeats (a multiset difference). */
  private static List<String> minus(List<String> a, List<String> b) {
    Map<String, Integer> left = new HashMap<>();
    b.forEach(record -> left.merge(record, 1, Integer::sum));
    List<String> only = new ArrayList<>();
    for (String record : a) {
      if (left.merge(record, -1, Integer::sum) < 0) {
        only.add(record);
      }
    }
    return only;
  }

  private static String sample(List<String> records) {
    if (records.isEmpty()) {
      return "";
    }
    List<String> shown = new ArrayList<>();
    for (String record : records.subList(0, Math.min(SHOWN, records.size()))) {
      shown.add(record.length() > 200 ? record.substring(0, 200) + "..." : record);
    }
    return " (e.g. " + String.join(", ", shown) + ")";
  }

  private Dataset dataset() throws IOException {
    return Dataset.named(getConf(), dataset);
  }
}
