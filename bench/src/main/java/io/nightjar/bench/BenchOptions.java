package io.nightjar.bench;

import java.io.File;
import picocli.CommandLine.Option;

/**
 * What every benchmark is asked: its scratch folder and how many runs of each row, a picocli {@code @Mixin} whose
 * defaults the benchmark gives: {@code @Mixin private final BenchOptions bench = new BenchOptions("target/x", 3);}.
 */
final class BenchOptions {

  @Option(names = "--work-dir", description = "Scratch folder, emptied first (default: ${DEFAULT-VALUE}).")
  private File workDir;

  @Option(names = "--repeat", description = "Runs of each row; the median and the best are reported "
      + "(default: ${DEFAULT-VALUE}).")
  private int repeat;

  BenchOptions(String workDir, int repeat) {
    this.workDir = new File(workDir);
    this.repeat = repeat;
  }

  File workDir() {
    return workDir;
  }

  int repeat() {
    return repeat;
  }
}
