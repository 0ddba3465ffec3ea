package io.nightjar.jobs.tracks.s3import;

import io.nightjar.common.dataset.RecordAccounting;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What one chunk of a bulk import was given and what it did with it, published inside the chunk's import day as
 * {@value #FILE}: the chunk's dump lines (the run's records in) and the lines it skipped for reasons that no list
 * holds (duplicate ids, ids no longer in the dump). With the chunk's published outcomes (imported records, quarantine,
 * missing and failed lists) they must add up to the dump lines: {@link PromoteImportTool} refuses a chunk whose do
 * not, naming the gap. A {@code --retry-failed} run carries the earlier run's figures over, since it reads only the
 * failed ids.
 */
final class ChunkAccounting {

  static final String FILE = "_chunk-accounting.properties";
  private static final String DUMP_LINES = "dumpLines";
  private static final String SKIPPED = "skipped.";

  final long dumpLines;
  /** Skip reasons other than the missing and failed lists, with their counts. */
  final Map<String, Long> skipped;

  private ChunkAccounting(long dumpLines, Map<String, Long> skipped) {
    this.dumpLines = dumpLines;
    this.skipped = skipped;
  }

  /** A plain run's: its records in are the chunk's dump lines. */
  static ChunkAccounting of(RecordAccounting run) {
    return new ChunkAccounting(run.in(), otherSkips(run, new TreeMap<>()));
  }

  /** A retry's: the earlier run's dump lines and skips, plus what the retry skipped. */
  static ChunkAccounting retried(ChunkAccounting earlier, RecordAccounting retry) {
    return new ChunkAccounting(earlier.dumpLines, otherSkips(retry, new TreeMap<>(earlier.skipped)));
  }

  private static Map<String, Long> otherSkips(RecordAccounting run, Map<String, Long> into) {
    run.skipReasons().forEach((reason, count) -> {
      if (!reason.equals(FetchDocumentsFn.MISSING) && !reason.equals(FetchDocumentsFn.FAILED)) {
        into.merge(reason, count, Long::sum);
      }
    });
    return into;
  }

  long skippedTotal() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }

  void write(FileSystem fs, Path dayDir) throws IOException {
    Properties properties = new Properties();
    properties.setProperty(DUMP_LINES, Long.toString(dumpLines));
    skipped.forEach((reason, count) -> properties.setProperty(SKIPPED + reason, Long.toString(count)));
    try (OutputStream out = fs.create(new Path(dayDir, FILE), true)) {
      properties.store(out, "nightjar s3-import chunk accounting");
    }
  }

  /** The figures published in {@code dayDir}, or null when there are none (an import by an earlier nightjar). */
  static ChunkAccounting read(FileSystem fs, Path dayDir) throws IOException {
    Path file = new Path(dayDir, FILE);
    if (!fs.exists(file)) {
      return null;
    }
    Properties properties = new Properties();
    try (InputStream in = fs.open(file)) {
      properties.load(in);
    }
    Map<String, Long> skipped = new TreeMap<>();
    for (String name : properties.stringPropertyNames()) {
      if (name.startsWith(SKIPPED)) {
        skipped.put(name.substring(SKIPPED.length()), Long.parseLong(properties.getProperty(name)));
      }
    }
    return new ChunkAccounting(Long.parseLong(properties.getProperty(DUMP_LINES)), skipped);
  }
}
