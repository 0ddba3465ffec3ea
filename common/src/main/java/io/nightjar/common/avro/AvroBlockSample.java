package io.nightjar.common.avro;

import io.nightjar.common.dataset.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.file.CheckedDataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.mapred.FsInput;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Estimates per-key record counts of large Avro inputs from a seeded sample of their blocks, read in the client: no
 * MapReduce job. For each file, random byte positions are synced to the next Avro block (Avro's own
 * {@code DataFileReader.sync}), and whole blocks are decoded until about {@code fraction} of the file's bytes are
 * read; each key's count is scaled by the bytes of the file's blocks (its header left out) over the bytes sampled.
 * Only the key field is decoded (a projection of each file's writer schema: Avro skips the other fields), and up to
 * {@value #THREADS} files are sampled at once, each from its own seeded draw, so the estimate does not depend on which
 * file finishes first.
 *
 * <p>Use it for a plan that only needs the shape of the data (which keys are hot), such as a join's shard plan. It
 * reads {@code fraction} of the bytes, in blocks of about 64 KB, with one seek per block: 1% of 10 M impressions
 * (221 MB) is about 35 blocks. Blocks are sampled, not records, so keys clustered in a file (sorted input) are
 * estimated less exactly than a record-level sample would; for a per-key skew estimate of unsorted logs it is the
 * same figure at a fraction of the cost of a job that reads everything (bench/PROFILE.md).
 */
public final class AvroBlockSample {

  /** Files sampled at once: each seek is a new DataNode read, so the client mostly waits. */
  static final int THREADS = 4;

  private AvroBlockSample() {
  }

  /**
   * Estimated records per value of the string field {@code keyField} (a missing value under {@code ""}) of the
   * {@code .avro} files matched by {@code inputs} (files, folders or globs), from about {@code fraction} (0 to 1) of
   * each file's bytes; the same seed and files give the same estimate. A file without the field fails, naming it.
   */
  public static Map<String, Long> estimateCounts(Configuration conf, List<Path> inputs, String keyField,
      double fraction, long seed) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    for (Path input : inputs) {
      files.addAll(AvroFiles.matching(input.getFileSystem(conf), input));
    }
    // Each file's own seed, drawn in file order as the files are submitted (consecutive seeds would give
    // java.util.Random nearly the same first draw in every file: the same time of day in files written in time order).
    Random seeds = new Random(seed);
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(THREADS, files.size())), runnable -> {
      Thread thread = new Thread(runnable, "avro-block-sample");
      thread.setDaemon(true);
      return thread;
    });
    try {
      // At most 2 x THREADS files sampled ahead of the one summed next, summed in file order: the same doubles added
      // in the same order, whichever file finished first, and not every file's counts held at once.
      Deque<Future<Map<String, Double>>> ahead = new ArrayDeque<>();
      Map<String, Double> estimates = new HashMap<>();
      int next = 0;
      while (next < files.size() || !ahead.isEmpty()) {
        while (next < files.size() && ahead.size() < 2 * THREADS) {
          FileStatus file = files.get(next);
          Random draws = new Random(seeds.nextLong());
          ahead.add(pool.submit(() -> sampleFile(conf, file, keyField, fraction, draws)));
          next++;
        }
        ahead.poll().get().forEach((k, estimate) -> estimates.merge(k, estimate, Double::sum));
      }
      Map<String, Long> rounded = new HashMap<>();
      estimates.forEach((k, estimate) -> rounded.put(k, Math.round(estimate)));
      return rounded;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while sampling " + inputs);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IOException(cause);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One file's estimated counts: its sampled counts scaled by its blocks' bytes over the bytes sampled. */
  private static Map<String, Double> sampleFile(Configuration conf, FileStatus file, String keyField, double fraction,
      Random random) throws IOException {
    long length = file.getLen();
    Map<String, Long> counts = new HashMap<>();
    long sampledBytes = 0;
    long dataBytes;
    GenericDatumReader<GenericRecord> datumReader = new GenericDatumReader<>();
    try (CheckedDataFileReader<GenericRecord> reader = new CheckedDataFileReader<>(new FsInput(file.getPath(), conf),
        datumReader, file.getPath().toString())) {
      datumReader.setExpected(projection(reader.getSchema(), keyField, file.getPath()));
      reader.sync(0);
      long firstBlock = reader.previousSync(); // the header's end
      dataBytes = length - firstBlock;
      if (fraction >= 1) {
        GenericRecord record = null;
        while (reader.hasNext()) {
          record = reader.next(record);
          counts.merge(key(record), 1L, Long::sum);
        }
        sampledBytes = dataBytes;
      } else {
        Set<Long> blocksRead = new HashSet<>();
        long target = Math.max(1, (long) (fraction * dataBytes));
        // Enough tries to find the file's blocks many times over.
        for (int tries = 0; sampledBytes < target && tries < 64 + 16 * (target >> 16); tries++) {
          // sync goes to the first block after the position; from inside the last block it finds the end of the
          // file and wraps around to the first block, so every block follows about one block's worth of positions
          // and a file of one block is always sampled.
          reader.sync(firstBlock + (long) (random.nextDouble() * dataBytes));
          if (!reader.hasNext()) {
            reader.sync(0);
          }
          long blockStart = reader.previousSync();
          if (!reader.hasNext() || !blocksRead.add(blockStart)) {
            continue;
          }
          GenericRecord record = null;
          while (reader.hasNext()) {
            record = reader.next(record);
            counts.merge(key(record), 1L, Long::sum);
            if (reader.previousSync() != blockStart) { // the block's last record was read
              break;
            }
          }
          sampledBytes += (reader.previousSync() != blockStart ? reader.previousSync() : length) - blockStart;
        }
      }
    }
    Map<String, Double> estimates = new HashMap<>();
    if (sampledBytes > 0) {
      double scale = (double) dataBytes / sampledBytes; // bytes of blocks, the header left out
      counts.forEach((k, n) -> estimates.put(k, n * scale));
    }
    return estimates;
  }

  private static String key(GenericRecord record) {
    Object value = record.get(0);
    return value == null ? "" : value.toString();
  }

  /**
   * The writer's record with only {@code keyField}: Avro decodes that field and skips the others. Parsed without name
   * checks, as Avro parses a file's header: a writer schema Avro reads, it projects.
   */
  static Schema projection(Schema writer, String keyField, Path file) {
    Schema.Field field = writer.getType() == Schema.Type.RECORD ? writer.getField(keyField) : null;
    if (field == null) {
      throw new IllegalArgumentException(file + ": no field " + keyField + " to count by in its schema "
          + writer.getFullName());
    }
    Object fieldType;
    try {
      fieldType = Json.read(field.schema().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // Avro's own JSON of a schema it parsed
    }
    String json = Json.compact(Map.of("type", "record", "name", writer.getFullName(),
        "fields", List.of(Map.of("name", field.name(), "type", fieldType))));
    return new Schema.Parser().setValidate(false).parse(json);
  }
}
