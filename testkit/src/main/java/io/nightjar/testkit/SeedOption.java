package io.nightjar.testkit;

import picocli.CommandLine.Option;

/** The {@code --seed} of a generator, a picocli {@code @Mixin}: the same seed and options write the same bytes. */
public final class SeedOption {

  @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
  private long seed;

  public long get() {
    return seed;
  }
}
