package io.nightjar.bench;

import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * Untimed rounds of every row before the timed ones, for the benchmarks that start an HDFS of their own: a fresh
 * DataNode serves its first reads with a cold JIT and page cache, where a cluster's DataNodes have long been running.
 * A picocli {@code @Mixin}; the warm-up runs are printed apart from the timed ones.
 */
final class WarmupOption {

  @Option(names = "--warmup", description = "Untimed rounds of every row before the timed ones, printed apart "
      + "(default: ${DEFAULT-VALUE}).")
  private int rounds = 1;

  int rounds() {
    if (rounds < 0) {
      throw new IllegalArgumentException("--warmup takes 0 or more rounds, not " + rounds);
    }
    return rounds;
  }

  /** The name of round {@code r} of all rounds, warm-ups first: {@code warmup-1}, ..., then {@code 1}, {@code 2}, .... */
  String roundName(int r) {
    return r < rounds() ? "warmup-" + (r + 1) : Integer.toString(r - rounds() + 1);
  }

  /** The timed runs of a row's figures of all rounds. */
  double[] timed(double[] all) {
    return Arrays.copyOfRange(all, rounds(), all.length);
  }

  /** The warm-up runs of a row's figures of all rounds. */
  double[] warmups(double[] all) {
    return Arrays.copyOfRange(all, 0, rounds());
  }
}
