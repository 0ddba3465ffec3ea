package io.nightjar.common.dataset;

import io.nightjar.common.avro.AvroBlocks;
import io.nightjar.common.avro.AvroInputCheck;
import io.nightjar.common.avro.AvroReadableFiles;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.UsageException;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pipeline;
import org.apache.crunch.types.avro.AvroType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A daily dataset at {@code <root>/<project>/<dataset>/<yyyy-MM-dd>/}, where a day counts as published only when its
 * folder holds a {@code _SUCCESS} flag. The root comes from {@code nightjar.root} (default {@value #DEFAULT_ROOT},
 * resolved against the default file system: a local folder in local mode, the user's HDFS home on a cluster).
 *
 * <p>Quarantined records of a day live at {@code <dataset>/_quarantine/<yyyy-MM-dd>/}. Names starting with
 * {@code _} are hidden from Hadoop input formats and from {@link #publishedDays}, which is how staging folders of a
 * run in progress stay invisible.
 *
 * <p>Listing a dataset costs one NameNode listing plus one {@code exists} per day folder; call it once per run.
 */
public final class Dataset {

  /** Configuration key of the root under which all projects live. */
  public static final String ROOT_KEY = "nightjar.root";
  /** Default root, relative to the default file system's working directory. */
  public static final String DEFAULT_ROOT = "nightjar-data";
  /** The flag a published day carries. */
  public static final String SUCCESS_FLAG = "_SUCCESS";
  /** Folder under a dataset that holds quarantined records, one folder per day. */
  public static final String QUARANTINE_DIR = "_quarantine";

  private final Path path;
  private final String project;
  private final String name;

  private Dataset(Path path, String project, String name) {
    this.path = path;
    this.project = project;
    this.name = name;
  }

  /** The dataset {@code name} of {@code project} under the configured root, fully qualified. */
  public static Dataset of(Configuration conf, String project, String name) throws IOException {
    Path root = new Path(conf.get(ROOT_KEY, DEFAULT_ROOT));
    Path qualified = root.getFileSystem(conf).makeQualified(root);
    return new Dataset(new Path(new Path(qualified, checkSegment(project)), checkName(name)), project, name);
  }

  /**
   * The dataset a user names as {@code PROJECT/DATASET} (e.g. {@code sensors/sensor-averages-day}, or
   * {@code tracks/analysis/full}) on a command line; a {@link UsageException} otherwise.
   */
  public static Dataset named(Configuration conf, String projectAndName) throws IOException {
    int slash = projectAndName.indexOf('/');
    if (slash <= 0 || slash == projectAndName.length() - 1) {
      throw new UsageException("give the dataset as PROJECT/DATASET, e.g. sensors/sensor-averages-day, not '"
          + projectAndName + "'");
    }
    return of(conf, projectAndName.substring(0, slash), projectAndName.substring(slash + 1));
  }

  /** The dataset's folder, {@code <root>/<project>/<dataset>}. */
  public Path path() {
    return path;
  }

  public String project() {
    return project;
  }

  public String name() {
    return name;
  }

  /** The folder of one day. It may or may not be published; see {@link #isPublished}. */
  public Path dayPath(LocalDate day) {
    return new Path(path, day.toString());
  }

  /** The quarantine folder of one day. */
  public Path quarantinePath(LocalDate day) {
    return new Path(new Path(path, QUARANTINE_DIR), day.toString());
  }

  /** Whether the day's folder exists and carries {@code _SUCCESS}. */
  public boolean isPublished(FileSystem fs, LocalDate day) throws IOException {
    return fs.exists(new Path(dayPath(day), SUCCESS_FLAG));
  }

  /** Whether the day's quarantine folder exists and carries {@code _SUCCESS}. */
  public boolean isQuarantinePublished(FileSystem fs, LocalDate day) throws IOException {
    return fs.exists(new Path(quarantinePath(day), SUCCESS_FLAG));
  }

  /** Every published day, oldest first. Folders without {@code _SUCCESS} and hidden folders are ignored. */
  public List<LocalDate> publishedDays(FileSystem fs) throws IOException {
    if (!fs.exists(path)) {
      return Collections.emptyList();
    }
    List<LocalDate> days = new ArrayList<>();
    for (FileStatus status : fs.listStatus(path)) {
      Optional<LocalDate> day = parseDay(status.getPath().getName());
      if (status.isDirectory() && day.isPresent() && isPublished(fs, day.get())) {
        days.add(day.get());
      }
    }
    Collections.sort(days);
    return days;
  }

  /** The latest published day, if any. */
  public Optional<LocalDate> latestPublished(FileSystem fs) throws IOException {
    List<LocalDate> days = publishedDays(fs);
    return days.isEmpty() ? Optional.empty() : Optional.of(days.get(days.size() - 1));
  }

  /** The latest published day on or before {@code day}, if any. */
  public Optional<LocalDate> latestPublishedOnOrBefore(FileSystem fs, LocalDate day) throws IOException {
    LocalDate found = null;
    for (LocalDate published : publishedDays(fs)) {
      if (!published.isAfter(day)) {
        found = published;
      }
    }
    return Optional.ofNullable(found);
  }

  /** Published days after {@code day}, oldest first. */
  public List<LocalDate> publishedAfter(FileSystem fs, LocalDate day) throws IOException {
    List<LocalDate> later = new ArrayList<>();
    for (LocalDate published : publishedDays(fs)) {
      if (published.isAfter(day)) {
        later.add(published);
      }
    }
    return later;
  }

  /**
   * Refuses to rewrite {@code day} when later days are published (they were computed from it and would go stale),
   * unless {@code force}: the message says what would need recomputing.
   */
  public void refuseRewriteBeforeLaterDays(FileSystem fs, LocalDate day, boolean force) throws IOException {
    List<LocalDate> later = publishedAfter(fs, day);
    if (!later.isEmpty() && !force) {
      throw new JobFailedException(name + " is already published for " + later + ", after " + day
          + "; rewriting " + day + " would leave those days computed from the old " + day + ". To backfill, rerun "
          + day + " with --force, then rerun each later day in order: " + later);
    }
  }

  static Optional<LocalDate> parseDay(String folderName) {
    if (folderName.length() != 10) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(folderName));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String checkName(String name) {
    for (String segment : name.split("/", -1)) {
      checkSegment(segment);
    }
    return name;
  }

  /**
   * The Avro files at {@code paths} (files, folders or globs) read into {@code pipeline} as {@code type}, once
   * {@link AvroInputCheck#requireReadable} has found each readable with the type's schema: an incompatible input, or
   * one whose header or end is damaged, fails the run, naming the file, before any job starts (as Kite's
   * {@code CrunchDatasets.asSource}); a damaged block fails the map task reading it, naming the file and byte, and the
   * run publishes nothing. Read a block at a time ({@link AvroBlocks}): Hadoop's per-record bookkeeping in the map task
   * is paid once per block.
   */
  public static <T> PCollection<T> readAvro(Pipeline pipeline, List<Path> paths, AvroType<T> type)
      throws IOException {
    AvroInputCheck.requireReadable(pipeline.getConfiguration(), type.getSchema(), paths);
    return AvroBlocks.read(pipeline, paths, type);
  }

  /**
   * The records of one file, folder or glob of Avro files, checked as {@link #readAvro} checks them, for a task to
   * read whole ({@link AvroReadableFiles}: the small side of a map-side join, loaded by every map task). Fails when
   * it names no Avro file.
   */
  public static <T> AvroReadableFiles<T> readableAvro(Configuration conf, Path path, AvroType<T> type)
      throws IOException {
    AvroInputCheck.requireReadable(conf, type.getSchema(), List.of(path));
    return AvroReadableFiles.of(conf, List.of(path), type);
  }

  /** {@link #readAvro(Pipeline, List, AvroType)} of one file, folder or glob. */
  public static <T> PCollection<T> readAvro(Pipeline pipeline, Path path, AvroType<T> type) throws IOException {
    return readAvro(pipeline, List.of(path), type);
  }

  private static String checkSegment(String segment) {
    if (segment.isEmpty() || segment.startsWith("_") || segment.startsWith(".") || segment.contains("/")
        || segment.contains(":")) {
      throw new IllegalArgumentException("not a valid project or dataset name: '" + segment + "'");
    }
    return segment;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dataset && ((Dataset) o).path.equals(path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path);
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
