package io.nightjar.jobs.tracks.s3import;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A projection of an import before anyone pays for it: wall time on a number of map slots, GET requests, bytes out of
 * S3, packed Avro, HDFS files and NameNode objects, and the request and transfer cost at list prices. The chunks run
 * one after another, each adding {@code secondsPerChunk} (its jobs' start and commit). A chunk's download runs as
 * s3-import splits it ({@link #downloadTasks}: its ids x {@code expectedDocumentBytes} / {@code targetFileBytes}),
 * its tasks in waves of {@code mapSlots}. Each map task keeps {@code inFlight} GETs in flight and parses and packs
 * what arrives; it is limited by whichever is slower, the requests ({@code inFlight / (latency + transfer)}) or its
 * CPU ({@code cpuMsPerMb} a document megabyte), and all tasks together by S3's request rate per prefix.
 * {@code s3-import --dry-run} prints it for its dump and settings; docs/sizing.md has the table for the full import
 * and the measurements behind the defaults.
 */
public record ImportSizing(long documents, long meanDocumentBytes, long expectedDocumentBytes, int chunks,
    double secondsPerChunk, int mapSlots, int inFlight, double latencyMs, double cpuMsPerMb, double taskMbPerSecond,
    double packedFraction, long targetFileBytes, int prefixes) {

  /** Client CPU a document megabyte (download, parse, pack), from S3ImportBench (docs/sizing.md). */
  public static final double CPU_MS_PER_MB = 8.6;
  /** Avro (snappy) bytes a JSON byte, from S3ImportBench on real-layout documents. */
  public static final double PACKED_FRACTION = 0.28;
  /** A single GET's transfer rate, MB/s, assumed (S3 to a task in the same region). */
  public static final double TASK_MB_PER_SECOND = 80;
  /** S3's documented request rate a prefix: 5,500 GET/HEAD per second. */
  public static final int GETS_PER_SECOND_PER_PREFIX = 5_500;
  /** List prices assumed (S3 Standard, us-east-1): GET requests a thousand. */
  public static final double USD_PER_1000_GETS = 0.0004;
  /** List price assumed for data out of S3 to the internet, a GB (first 10 TB a month; beyond: 0.085, 0.07). */
  public static final double USD_PER_GB_OUT = 0.09;
  private static final long HDFS_BLOCK_BYTES = 128L << 20;

  /** Documents a second one map task imports. */
  public double taskDocumentsPerSecond() {
    return Math.min(requestBound(), cpuBound());
  }

  /** What limits a task: {@code requests} or {@code CPU}. */
  public String taskLimit() {
    return requestBound() < cpuBound() ? "requests" : "CPU";
  }

  /** Documents a second the requests in flight allow: each waits the latency, then its transfer. */
  private double requestBound() {
    return inFlight / ((latencyMs / 1000) + meanDocumentBytes / 1e6 / taskMbPerSecond);
  }

  /** Documents a second one core parses and packs. */
  private double cpuBound() {
    return 1000 / (cpuMsPerMb * meanDocumentBytes / 1e6);
  }

  /**
   * The map tasks of a download of {@code ids}: one a {@code targetFileBytes} of expected JSON ({@code ids x
   * expectedDocumentBytes}), at least 1, at most 10,000. s3-import splits its download so, and so does the model.
   */
  public static int downloadTasks(long ids, long expectedDocumentBytes, long targetFileBytes) {
    return (int) Math.max(1, Math.min(10_000, (ids * expectedDocumentBytes + targetFileBytes - 1) / targetFileBytes));
  }

  /** The documents of one chunk. */
  public double documentsPerChunk() {
    return (double) documents / chunks;
  }

  /** The map tasks of one chunk's download. */
  public int tasksPerChunk() {
    return downloadTasks((long) Math.ceil(documentsPerChunk()), expectedDocumentBytes, targetFileBytes);
  }

  /** Documents a second a chunk's tasks import together while all run, at most S3's request rate for the prefixes. */
  public double documentsPerSecond() {
    return Math.min(Math.min(tasksPerChunk(), mapSlots) * taskDocumentsPerSecond(),
        (double) GETS_PER_SECOND_PER_PREFIX * prefixes);
  }

  public double hours() {
    return seconds() / 3600;
  }

  /**
   * Wall time: the chunks one after another, each its fixed cost and its download: its tasks in waves of
   * {@code mapSlots}, a wave as long as one task's share of the chunk at a task's rate, all at most at S3's rate.
   */
  public double seconds() {
    int tasks = tasksPerChunk();
    int waves = (tasks + mapSlots - 1) / mapSlots;
    double download = Math.max(waves * documentsPerChunk() / tasks / taskDocumentsPerSecond(),
        documentsPerChunk() / ((double) GETS_PER_SECOND_PER_PREFIX * prefixes));
    return chunks * (secondsPerChunk + download);
  }

  public double bytesOut() {
    return (double) documents * meanDocumentBytes;
  }

  public double packedBytes() {
    return bytesOut() * packedFraction;
  }

  /** Output files: one a download task (a task writes one file, however large). */
  public long files() {
    return (long) chunks * tasksPerChunk();
  }

  /** NameNode objects of the output: its files and their blocks. */
  public long nameNodeObjects() {
    long blocksPerFile = (long) Math.ceil(packedBytes() / files() / HDFS_BLOCK_BYTES);
    return files() * (1 + Math.max(1, blocksPerFile));
  }

  public double requestCostUsd() {
    return documents / 1000.0 * USD_PER_1000_GETS;
  }

  public double transferCostUsd() {
    return bytesOut() / 1e9 * USD_PER_GB_OUT;
  }

  /** The projection, one line a figure. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%,d documents of %,d bytes on average: %s of JSON out of S3 in %,d GET "
        + "requests", documents, meanDocumentBytes, bytes(bytesOut()), documents));
    lines.add(String.format(Locale.ROOT, "a map task: %.0f documents/s (%s-bound: %d in flight at %.0f ms, %.1f ms "
            + "of CPU a document)", taskDocumentsPerSecond(), taskLimit(), inFlight, latencyMs,
        cpuMsPerMb * meanDocumentBytes / 1e6));
    lines.add(String.format(Locale.ROOT, "%d map slots: %,.0f documents/s (S3 allows %,d GET/s a prefix, %d "
            + "prefix(es)); %d chunk(s) of %,d map task(s) and %.0f s fixed cost each; %.1f hours", mapSlots,
        documentsPerSecond(), GETS_PER_SECOND_PER_PREFIX, prefixes, chunks, tasksPerChunk(), secondsPerChunk,
        hours()));
    lines.add(String.format(Locale.ROOT, "output: %s of packed Avro in about %,d files of %s, %,d NameNode objects",
        bytes(packedBytes()), files(), bytes(packedBytes() / files()), nameNodeObjects()));
    lines.add(String.format(Locale.ROOT, "cost at assumed list prices: $%,.0f of GET requests ($%.4f a thousand), "
            + "$%,.0f of transfer out ($%.2f a GB; nothing within the region)", requestCostUsd(), USD_PER_1000_GETS,
        transferCostUsd(), USD_PER_GB_OUT));
    return lines;
  }

  private static String bytes(double bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
    int unit = 0;
    while (bytes >= 1000 && unit < units.length - 1) {
      bytes /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", bytes, units[unit]);
  }
}
