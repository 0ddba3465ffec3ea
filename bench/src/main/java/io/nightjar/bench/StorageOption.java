package io.nightjar.bench;

import java.io.File;
import java.io.IOException;
import picocli.CommandLine.Option;

/** Where a benchmark's inputs and outputs live ({@link BenchStorage}), a picocli {@code @Mixin} of the benchmarks. */
final class StorageOption {

  @Option(names = "--storage", defaultValue = "hdfs", description = "hdfs (an HDFS of the benchmark's own, in its "
      + "own process) or local (default: ${DEFAULT-VALUE}).")
  private String kind;

  /** The storage asked for; nightjar's runs get {@code slots} local slots. */
  BenchStorage open(File workDir, int slots) throws IOException, InterruptedException {
    return BenchStorage.open(kind, workDir, slots);
  }
}
