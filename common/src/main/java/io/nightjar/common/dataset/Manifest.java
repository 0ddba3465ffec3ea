package io.nightjar.common.dataset;

import io.nightjar.common.avro.AvroInputCheck;
import io.nightjar.common.crunch.PipelineCounters;
import io.nightjar.common.tool.NightjarTool;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.crunch.PipelineResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * What a published folder proves about itself, written as JSON into its {@code _SUCCESS} in the same rename that
 * publishes it: the format, the dataset and day, which tool made it with which arguments, nightjar's version and
 * commit, the run (id, user, host, start, end), the Hadoop job ids, every input file (length, modification time and
 * the file system's checksum where it has one: HDFS gives {@code MD5-of-MD5-of-CRC32C}, the local file system none,
 * S3A an etag only with {@code fs.s3a.etag.checksum.enabled}), every output file (bytes, records, the CRC-64-AVRO
 * fingerprint of its schema), the record accounting with its reasons, and nightjar's counters. Readers that only test
 * for {@code _SUCCESS} (Oozie's done-flag, {@code hdfs dfs -test -e}, Spark, Hive) see a flag as before.
 *
 * <p>Cost: one status and one checksum call per input file (at most {@value #MAX_FILES_LISTED} listed; beyond that,
 * their count and bytes), and a header and block-header walk of each output file (no record decoded).
 */
public final class Manifest {

  public static final String FORMAT = "nightjar-manifest/1";
  /** The tool's name, its arguments, the run's id and start, set by {@link NightjarTool} for every run. */
  public static final String TOOL_KEY = "nightjar.run.tool";
  public static final String ARGS_KEY = "nightjar.run.args";
  public static final String RUN_ID_KEY = "nightjar.run.id";
  public static final String START_KEY = "nightjar.run.start-ms";
  static final int MAX_FILES_LISTED = 10_000;
  private static final Pattern SECRET = Pattern.compile("(?i).*(secret|password|credential|access.?key).*=.*");
  private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(secret|password|credential|access.?key).*");
  /** {@code scheme://user:password@host}: the user information of a URI, never kept. */
  private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]+@");
  private static final String HIDDEN = "(hidden)";
  /** Input checksums: one NameNode call and a read of each block's checksum file on HDFS per input file. */
  public static final String INPUT_CHECKSUMS_KEY = "nightjar.manifest.input-checksums";
  /** Outputs up to this many bytes have their records counted from their block headers (a read per block). */
  public static final String COUNT_RECORDS_MAX_BYTES_KEY = "nightjar.manifest.count-records-max-bytes";
  public static final long DEFAULT_COUNT_RECORDS_MAX_BYTES = 16L << 30;

  private final Map<String, Object> fields = new LinkedHashMap<>();

  private Manifest() {
  }

  /**
   * A manifest of {@code target}, a day of {@code dataset} ({@code <project>/<name>}) or its quarantine
   * ({@code kind}), with its run's identity.
   */
  public static Manifest of(Configuration conf, Path target, String dataset, LocalDate day, String kind) {
    Manifest manifest = new Manifest();
    manifest.fields.put("format", FORMAT);
    manifest.fields.put("path", withoutUserInfo(target.toString()));
    manifest.fields.put("dataset", dataset);
    manifest.fields.put("day", day.toString());
    manifest.fields.put("kind", kind);
    manifest.fields.put("tool", conf.get(TOOL_KEY, "?"));
    List<String> args = new ArrayList<>();
    boolean hideNext = false;
    for (String arg : arguments(conf)) {
      if (hideNext) {
        args.add(HIDDEN);
        hideNext = false;
      } else if (SECRET.matcher(arg).matches()) {
        args.add(arg.substring(0, arg.indexOf('=') + 1) + HIDDEN); // --secret-key=xyz
      } else {
        args.add(withoutUserInfo(arg));
        hideNext = arg.startsWith("-") && SECRET_KEY.matcher(arg).matches(); // --secret-key xyz
      }
    }
    manifest.fields.put("arguments", args);
    // nightjar's own settings of the run (-D options never reach the arguments): what verify sets again.
    Map<String, String> settings = new TreeMap<>();
    for (Map.Entry<String, String> entry : conf) {
      String key = entry.getKey();
      if (key.startsWith("nightjar.") && !key.startsWith("nightjar.run.") && !key.startsWith("nightjar.verify.")
          && !SECRET_KEY.matcher(key).matches()) {
        settings.put(key, withoutUserInfo(entry.getValue()));
      }
    }
    manifest.fields.put("settings", settings);
    manifest.fields.put("nightjar", build());
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("id", conf.get(RUN_ID_KEY, "?"));
    run.put("user", user());
    run.put("host", host());
    long start = conf.getLong(START_KEY, 0);
    run.put("start", start == 0 ? null : Instant.ofEpochMilli(start).toString());
    run.put("end", Instant.ofEpochMilli(System.currentTimeMillis()).toString());
    manifest.fields.put("run", run);
    return manifest;
  }

  /**
   * Keeps a run's arguments in its configuration (as a JSON array: the configuration travels as job XML, which no
   * separator character survives).
   */
  public static void setArguments(Configuration conf, String... args) {
    conf.set(ARGS_KEY, Json.compact(args));
  }

  private static List<String> arguments(Configuration conf) {
    String json = conf.get(ARGS_KEY);
    if (json == null) {
      return List.of();
    }
    try {
      List<String> arguments = new ArrayList<>();
      for (Object argument : (List<?>) Json.read(json)) {
        arguments.add(String.valueOf(argument));
      }
      return List.copyOf(arguments);
    } catch (IOException | ClassCastException e) {
      return List.of(json);
    }
  }

  /** The input files behind {@code inputs} (files, folders or globs), each with its length, time and checksum. */
  public Manifest inputs(Configuration conf, List<Path> inputs) throws IOException {
    return inputs(listInputs(conf, inputs));
  }

  /** Inputs listed once by {@link #listInputs}, for the several manifests of one run. */
  public Manifest inputs(Map<String, Object> listed) {
    fields.putAll(listed);
    return this;
  }

  /**
   * The fields describing the files behind {@code inputs}: {@code reads} (the paths as given), {@code inputs} (each
   * file, at most {@value #MAX_FILES_LISTED}), {@code inputFiles} and {@code inputBytes}.
   */
  public static Map<String, Object> listInputs(Configuration conf, List<Path> inputs) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    List<Map<String, Object>> files = new ArrayList<>();
    long count = 0;
    long bytes = 0;
    for (FileStatus file : inputFiles(conf, inputs)) {
      count++;
      bytes += file.getLen();
      if (files.size() < MAX_FILES_LISTED) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("path", withoutUserInfo(file.getPath().toString()));
        entry.put("bytes", file.getLen());
        entry.put("modified", Instant.ofEpochMilli(file.getModificationTime()).toString());
        entry.put("checksum", conf.getBoolean(INPUT_CHECKSUMS_KEY, true)
            ? checksum(file.getPath().getFileSystem(conf), file) : null);
        files.add(entry);
      }
    }
    List<String> reads = new ArrayList<>();
    inputs.forEach(input -> reads.add(withoutUserInfo(input.toString())));
    fields.put("reads", reads);
    fields.put("inputs", files);
    fields.put("inputFiles", count);
    fields.put("inputBytes", bytes);
    return fields;
  }

  /**
   * The files a run reading {@code inputs} (files, folders or globs) reads: those matched, and those directly in a
   * matched folder, hidden names aside (a {@code _SUCCESS} is listed: it holds the input day's own manifest).
   */
  public static List<FileStatus> inputFiles(Configuration conf, List<Path> inputs) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    for (Path input : inputs) {
      FileSystem fs = input.getFileSystem(conf);
      FileStatus[] matches = fs.globStatus(input);
      for (FileStatus match : matches == null ? new FileStatus[0] : matches) {
        for (FileStatus file : match.isDirectory() ? fs.listStatus(match.getPath()) : new FileStatus[] {match}) {
          String name = file.getPath().getName();
          if (file.isFile() && (!name.startsWith("_") || name.equals(Dataset.SUCCESS_FLAG)) && !name.startsWith(".")) {
            files.add(file);
          }
        }
      }
    }
    return files;
  }

  /**
   * The staged folder's files: bytes, and for Avro files their schema's fingerprint (from the header) and, when the
   * folder holds at most {@value #COUNT_RECORDS_MAX_BYTES_KEY} bytes, their records (from the block headers).
   */
  public Manifest outputs(Configuration conf, FileSystem fs, Path staged) throws IOException {
    List<Map<String, Object>> files = new ArrayList<>();
    List<FileStatus> statuses = new ArrayList<>();
    long bytes = 0;
    if (fs.exists(staged)) {
      for (FileStatus file : fs.listStatus(staged)) {
        String name = file.getPath().getName();
        if (file.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
          statuses.add(file);
          bytes += file.getLen();
        }
      }
    }
    boolean count = bytes <= conf.getLong(COUNT_RECORDS_MAX_BYTES_KEY, DEFAULT_COUNT_RECORDS_MAX_BYTES);
    long records = 0;
    for (FileStatus file : statuses) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("file", file.getPath().getName());
      entry.put("bytes", file.getLen());
      if (file.getPath().getName().endsWith(".avro")) {
        if (count) {
          AvroInputCheck.FileContents contents = AvroInputCheck.contents(fs, file);
          entry.put("records", contents.records());
          entry.put("schemaFingerprint", fingerprint(contents.schema()));
          records += contents.records();
        } else {
          entry.put("schemaFingerprint", fingerprint(headerSchema(fs, file)));
        }
      }
      files.add(entry);
    }
    fields.put("outputs", files);
    if (count) {
      fields.put("records", records);
    }
    fields.put("bytes", bytes);
    return this;
  }

  private static String headerSchema(FileSystem fs, FileStatus file) throws IOException {
    try (InputStream in = fs.open(file.getPath());
        DataFileStream<Object> reader = new DataFileStream<>(in, new GenericDatumReader<>())) {
      return reader.getSchema().toString();
    }
  }

  /** The record accounting: in, out, quarantined, skipped, written, and the reasons. */
  public Manifest accounting(RecordAccounting accounting) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("in", accounting.in());
    figures.put("out", accounting.out());
    figures.put("quarantined", accounting.quarantined());
    figures.put("skipped", accounting.skipped());
    figures.put("written", accounting.written());
    figures.put("quarantineReasons", new TreeMap<>(accounting.quarantineReasons()));
    figures.put("skipReasons", new TreeMap<>(accounting.skipReasons()));
    fields.put("accounting", figures);
    return this;
  }

  /** The runs' Hadoop job ids (YARN application ids on a cluster follow from them) and nightjar's counters. */
  public Manifest jobs(List<PipelineResult> results) {
    List<String> ids = new ArrayList<>();
    Map<String, Map<String, Long>> counters = new TreeMap<>();
    for (PipelineResult result : results) {
      for (PipelineResult.StageResult stage : result.getStageResults()) {
        if (stage.getStageId() != null) {
          ids.add(stage.getStageId());
        }
        if (stage.getCounters() != null) {
          for (String group : stage.getCounters().getGroupNames()) {
            if (group.startsWith("nightjar.")) {
              PipelineCounters.group(stage.getCounters(), group).forEach((name, value) ->
                  counters.computeIfAbsent(group, g -> new TreeMap<>()).merge(name, value, Long::sum));
            }
          }
        }
      }
    }
    fields.put("jobs", ids);
    fields.put("counters", counters);
    return this;
  }

  /** Any further field (a tool's own figures). */
  public Manifest put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  public Map<String, Object> fields() {
    return fields;
  }

  public String toJson() throws IOException {
    return Json.pretty(fields) + "\n";
  }

  /**
   * The manifest in {@code folder}'s {@code _SUCCESS}: its fields; empty for a flag that is not a nightjar manifest
   * (empty: published before manifests or by another tool; another committer's JSON; unreadable); null when the folder
   * is not published.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> read(FileSystem fs, Path folder) throws IOException {
    Path flag = new Path(folder, Dataset.SUCCESS_FLAG);
    byte[] bytes;
    try (InputStream in = fs.open(flag)) {
      bytes = in.readNBytes(MAX_MANIFEST_BYTES);
    } catch (FileNotFoundException e) {
      return null;
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    if (!text.startsWith("{")) {
      return new LinkedHashMap<>();
    }
    try {
      Map<String, Object> fields = Json.readObject(text);
      return String.valueOf(fields.get("format")).startsWith("nightjar-manifest/") ? fields : new LinkedHashMap<>();
    } catch (IOException e) {
      return new LinkedHashMap<>();
    }
  }

  /** A manifest lists at most {@value #MAX_FILES_LISTED} inputs: far less than this. */
  private static final int MAX_MANIFEST_BYTES = 64 << 20;

  /** CRC-64-AVRO of the schema's parsing canonical form, as Avro's single-object encoding names schemas. */
  static String fingerprint(String schema) {
    long fingerprint = SchemaNormalization.parsingFingerprint64(new Schema.Parser().setValidate(false).parse(schema));
    return String.format("CRC-64-AVRO:%016x", fingerprint);
  }

  static String withoutUserInfo(String value) {
    return USER_INFO.matcher(value).replaceAll("$1" + HIDDEN + "@");
  }

  private static Object checksum(FileSystem fs, FileStatus file) {
    try {
      FileChecksum checksum = fs.getFileChecksum(file.getPath());
      return checksum == null ? null : checksum.toString();
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  private static Map<String, String> build() {
    Map<String, String> build = new LinkedHashMap<>();
    Properties properties = new Properties();
    try (InputStream in = Manifest.class.getResourceAsStream("/io/nightjar/common/build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // reported as unknown below
    }
    build.put("version", properties.getProperty("version", "unknown"));
    build.put("commit", properties.getProperty("commit", "unknown"));
    return build;
  }

  private static String user() {
    try {
      return UserGroupInformation.getCurrentUser().getShortUserName();
    } catch (IOException e) {
      return System.getProperty("user.name");
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
