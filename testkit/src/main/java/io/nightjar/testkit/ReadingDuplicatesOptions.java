package io.nightjar.testkit;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * How many generated sensor readings are repeated or contradicted, a picocli {@code @Mixin} of the generator and the
 * benchmark, whose defaults the command gives: {@code @Mixin private final ReadingDuplicatesOptions duplicates =
 * new ReadingDuplicatesOptions(0, 0);}; picocli sets its public fields.
 */
public final class ReadingDuplicatesOptions {

  @Option(names = "--duplicate-fraction",
      description = "Fraction of readings repeated exactly (default: ${DEFAULT-VALUE}).")
  public double duplicateFraction;

  @Option(names = "--conflict-fraction",
      description = "Fraction of readings followed by a second reading of the same sensor and timestamp with another "
          + "value (default: ${DEFAULT-VALUE}).")
  public double conflictFraction;

  public ReadingDuplicatesOptions(double duplicateFraction, double conflictFraction) {
    this.duplicateFraction = duplicateFraction;
    this.conflictFraction = conflictFraction;
  }

  /** The options as {@code generate-sensor-readings} takes them. */
  public List<String> asArguments() {
    return List.of("--duplicate-fraction", Double.toString(duplicateFraction), "--conflict-fraction",
        Double.toString(conflictFraction));
  }
}
