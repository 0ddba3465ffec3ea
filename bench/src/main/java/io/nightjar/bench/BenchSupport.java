package io.nightjar.bench;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.s3.S3Access;
import io.nightjar.s3server.LoopbackS3;
import io.nightjar.testkit.local.LocalSpeed;
import io.nightjar.testkit.local.NioLocalFileSystem;
import io.nightjar.testkit.local.NioPermissionsLocalFileSystem;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What every benchmark sets up the same way: local-mode MapReduce under a work folder, tool exit checks, medians, and
 * an order-independent digest of published records.
 */
final class BenchSupport {

  /**
   * Extra JVM options of every nightjar run (not the loop's, not Spark's), {@code {name}} standing for the run's name:
   * {@code -Dbench.tool.jvm=-XX:StartFlightRecording=filename=/tmp/{name}.jfr} profiles each run.
   */
  static final String TOOL_JVM_KEY = "bench.tool.jvm";

  private BenchSupport() {
  }

  /**
   * MapReduce in local mode with {@code slots} map and reduce tasks in parallel, datasets under
   * {@code workDir/root}, input splits of at most 32 MB (Crunch otherwise combines a local input into one split) and
 * the test kit's {@link LocalSpeed} settings:
   * the settings of {@link #localConf} and of every {@link #runTool} process.
   */
  static Map<String, String> localSettings(File workDir, int slots) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("mapreduce.framework.name", "local");
    settings.put(Dataset.ROOT_KEY, new File(workDir, "root").getAbsolutePath());
    settings.put("mapreduce.local.map.tasks.maximum", Integer.toString(slots));
    settings.put("mapreduce.local.reduce.tasks.maximum", Integer.toString(slots));
    settings.put("crunch.combine.file.block.size", Long.toString(32L << 20));
    settings.putAll(LocalSpeed.settings()); // the test kit's local file system and polls
    return settings;
  }

  /**
   * {@link #localSettings} for runs on {@code hdfs}: datasets under {@code /root} there, HDFS the default file system,
   * and for {@code file://} (the local runner's staging, the tasks' spills, localized cache files) Hadoop's local file
   * system with its own reads, its permissions set through {@code java.nio} ({@code NioPermissionsLocalFileSystem}) as
   * a cluster node's native library sets them: without it a sensors run started 46 {@code chmod} processes, which
   * Spark's runs do not (strace, bench/PROFILE.md).
   */
  static Map<String, String> hdfsSettings(File workDir, int slots, BenchHdfs hdfs) {
    Map<String, String> settings = localSettings(workDir, slots);
    settings.put(NioLocalFileSystem.IMPL_KEY, NioPermissionsLocalFileSystem.class.getName());
    settings.put(Dataset.ROOT_KEY, hdfs.uri() + "/root");
    settings.putAll(hdfs.settings());
    return settings;
  }

  /** A configuration with {@link #localSettings}, for tools run inside the benchmark's JVM (the generators). */
  static Configuration localConf(File workDir, int slots) {
    Configuration conf = new Configuration();
    localSettings(workDir, slots).forEach(conf::set);
    return conf;
  }

  /**
   * Runs one nightjar tool as its own JVM, as a daily job runs (and as the Spark rows run), with
   * {@link #localSettings}; its output goes to {@code workDir/logs/<name>.log}. Returns the process's wall seconds
   * (JVM start included); fails with the log's tail when the tool does not exit 0.
   */
  static double runTool(File workDir, int slots, String name, String tool, String... args)
      throws IOException, InterruptedException {
    return runTool(workDir, localSettings(workDir, slots), name, tool, args);
  }

  /** {@link #runTool} with {@code settings} instead of {@link #localSettings} (e.g. {@link #hdfsSettings}). */
  static double runTool(File workDir, Map<String, String> settings, String name, String tool, String... args)
      throws IOException, InterruptedException {
    return runMain(workDir, settings, name, "io.nightjar.jobs.Main", List.of(tool), args);
  }

  /**
   * Writes the page cache's dirty pages to disk ({@code sync}) and waits for it, so that the next run does not share
   * the disk with the write-back of what the runs before it wrote (the kernel writes dirty pages about 30 s after
   * they were written, into whichever run comes then).
   */
  static void settle() throws IOException, InterruptedException {
    Process sync = new ProcessBuilder("sync").inheritIO().start();
    if (sync.waitFor() != 0) {
      throw new IOException("sync exited with " + sync.exitValue());
    }
  }

  /** {@link #runTool} with {@code settings} and its own JVM options instead of {@value #TOOL_JVM_KEY}'s. */
  static double runTool(File workDir, List<String> javaOptions, Map<String, String> settings, String name, String tool,
      String... args) throws IOException, InterruptedException {
    return runJava(workDir, name, javaOptions, System.getProperty("java.class.path"), "io.nightjar.jobs.Main",
        withSettings(settings, List.of(tool), args));
  }

  /** {@link #runTool} for a tool of the benchmarks' own, {@code mainClass}, whose main takes the options. */
  static double runMain(File workDir, int slots, String name, String mainClass, List<String> first, String... args)
      throws IOException, InterruptedException {
    return runMain(workDir, localSettings(workDir, slots), name, mainClass, first, args);
  }

  /** {@link #runMain} with {@code settings} instead of {@link #localSettings}. */
  static double runMain(File workDir, Map<String, String> settings, String name, String mainClass,
      List<String> first, String... args) throws IOException, InterruptedException {
    String jvm = System.getProperty(TOOL_JVM_KEY, "").replace("{name}", name).trim();
    return runJava(workDir, name, jvm.isEmpty() ? List.of() : List.of(jvm.split(" +")),
        System.getProperty("java.class.path"), mainClass, withSettings(settings, first, args));
  }

  /** {@code first}, then each setting as a {@code -D} option, then {@code args}: a tool's command line. */
  private static List<String> withSettings(Map<String, String> settings, List<String> first, String... args) {
    List<String> command = new ArrayList<>(first);
    settings.forEach((key, value) -> command.addAll(List.of("-D", key + "=" + value)));
    command.addAll(List.of(args));
    return command;
  }

  /**
   * Runs {@code mainClass} as its own JVM ({@code -Xmx6g} and {@code javaOptions}, on {@code classpath}), its output
   * in {@code workDir/logs/<name>.log}: the process's wall seconds; fails with the log's tail when it exits non-zero.
   */
  static double runJava(File workDir, String name, List<String> javaOptions, String classpath, String mainClass,
      List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-Xmx6g"));
    command.addAll(javaOptions);
    command.addAll(List.of("-cp", classpath, mainClass));
    command.addAll(args);
    File log = log(workDir, name);
    log.getParentFile().mkdirs();
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    int status = process.waitFor();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (status != 0) {
      List<String> lines = Files.readAllLines(log.toPath(), StandardCharsets.UTF_8);
      throw new IllegalStateException(name + " exited " + status + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
    }
    return seconds;
  }

  /** The output of the {@link #runJava} process {@code name}. */
  static File log(File workDir, String name) {
    return new File(workDir, "logs/" + name + ".log");
  }

  /** Fails the benchmark when a tool did not succeed. */
  static void check(int status) {
    if (status != 0) {
      throw new IllegalStateException("tool exited with " + status);
    }
  }

  /** The median of the values (the upper one of the two middle values for an even count). */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** The smallest of the values. */
  static double min(double[] values) {
    double min = Double.POSITIVE_INFINITY;
    for (double v : values) {
      min = Math.min(min, v);
    }
    return min;
  }

  /** The largest of the values (the best of rates: the run of least time). */
  static double max(double[] values) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      max = Math.max(max, v);
    }
    return max;
  }

  /**
   * An order-independent digest of a multiset of Avro records: their count, and the sum and the xor (both modulo
   * 2^64) of a 64-bit hash of each record's canonical form (fields in schema order, union branch named, map entries
   * sorted by key, doubles by their bits). Two outputs with the same records in any order and any split into files
   * have equal digests; a changed, missing or repeated record changes it. Streams the files: memory does not grow
   * with the output.
   */
  static final class Digest {

    private long count;
    private long sum;
    private long xor;

    /** The digest of the records of a local folder's {@code .avro} files (hidden files skipped). */
    static Digest ofFolder(File dir) throws IOException {
      return of(FileSystem.getLocal(new Configuration()), new Path(dir.getAbsolutePath()));
    }

    /** The digest of the records of a folder's {@code .avro} files on {@code fs} (hidden files skipped). */
    static Digest of(FileSystem fs, Path dir) throws IOException {
      Digest digest = new Digest();
      for (FileStatus status : AvroFiles.avroFileStatuses(fs, dir)) {
        try (InputStream in = fs.open(status.getPath());
            DataFileStream<GenericRecord> reader = new DataFileStream<>(in, new GenericDatumReader<>())) {
          GenericRecord record = null;
          while (reader.hasNext()) {
            record = reader.next(record);
            digest.add(record);
          }
        }
      }
      return digest;
    }

    /** Adds one record. */
    void add(GenericRecord record) {
      Hasher hasher = Hashing.murmur3_128().newHasher();
      put(hasher, record.getSchema(), record);
      long hash = hasher.hash().asLong();
      count++;
      sum += hash;
      xor ^= hash;
    }

    long count() {
      return count;
    }

    private static void put(Hasher h, Schema schema, Object value) {
      switch (schema.getType()) {
        case RECORD:
          GenericRecord record = (GenericRecord) value;
          for (Schema.Field field : schema.getFields()) {
            put(h, field.schema(), record.get(field.pos()));
          }
          break;
        case UNION:
          // The value alone, not the branch index: ["null","string"] and ["string","null"] (as Spark writes a
          // nullable column), or a plain "string", give the same hash for the same value.
          put(h, schema.getTypes().get(GenericData.get().resolveUnion(schema, value)), value);
          break;
        case NULL:
          h.putByte((byte) 0);
          break;
        case BOOLEAN:
          h.putBoolean((Boolean) value);
          break;
        case INT:
          h.putInt((Integer) value);
          break;
        case LONG:
          h.putLong((Long) value);
          break;
        case FLOAT:
          h.putInt(Float.floatToIntBits((Float) value));
          break;
        case DOUBLE:
          h.putLong(Double.doubleToLongBits((Double) value));
          break;
        case STRING:
          if (value instanceof Utf8) { // as read: hash its UTF-8 bytes without making a String
            Utf8 utf8 = (Utf8) value;
            h.putInt(utf8.getByteLength());
            h.putBytes(utf8.getBytes(), 0, utf8.getByteLength());
          } else {
            putString(h, value.toString());
          }
          break;
        case ENUM:
          putString(h, ((GenericEnumSymbol) value).toString());
          break;
        case BYTES:
          ByteBuffer bytes = ((ByteBuffer) value).duplicate();
          h.putInt(bytes.remaining());
          h.putBytes(bytes);
          break;
        case FIXED:
          h.putBytes(((GenericFixed) value).bytes());
          break;
        case ARRAY:
          Collection<?> items = (Collection<?>) value;
          h.putInt(items.size());
          for (Object item : items) {
            put(h, schema.getElementType(), item);
          }
          break;
        case MAP:
          List<Map.Entry<?, ?>> entries = new ArrayList<>(((Map<?, ?>) value).entrySet());
          entries.sort((a, b) -> a.getKey().toString().compareTo(b.getKey().toString()));
          h.putInt(entries.size());
          for (Map.Entry<?, ?> entry : entries) {
            putString(h, entry.getKey().toString());
            put(h, schema.getValueType(), entry.getValue());
          }
          break;
        default:
          throw new IllegalArgumentException("no canonical form for " + schema.getType());
      }
    }

    private static void putString(Hasher h, String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      h.putInt(utf8.length);
      h.putBytes(utf8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Digest && ((Digest) o).count == count && ((Digest) o).sum == sum && ((Digest) o).xor == xor;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(sum ^ xor ^ count);
    }

    @Override
    public String toString() {
      return String.format("%,d records, sum %016x, xor %016x", count, sum, xor);
    }
  }

  /** CPU time this JVM has used so far, all threads (the HotSpot management bean). */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Every run's figure, in order, each in {@code format} (e.g. {@code "%.1f"}), separated by spaces. */
  static String runs(double[] values, String format) {
    StringBuilder runs = new StringBuilder();
    for (double value : values) {
      runs.append(runs.length() == 0 ? "" : " ").append(String.format(format, value));
    }
    return runs.toString();
  }

  /** {@code conf} pointed at the loopback S3 server {@code s3}, with its local test keys. */
  static Configuration withLoopbackS3(Configuration conf, LoopbackS3 s3) {
    loopbackS3Settings(s3).forEach(conf::set);
    return conf;
  }

  /** The settings that point a run at the loopback S3 server {@code s3}, with its local test keys. */
  static Map<String, String> loopbackS3Settings(LoopbackS3 s3) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(S3Access.ENDPOINT, s3.endpoint());
    settings.put(S3Access.PATH_STYLE, "true");
    settings.put(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY);
    settings.put(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY);
    return settings;
  }
}
