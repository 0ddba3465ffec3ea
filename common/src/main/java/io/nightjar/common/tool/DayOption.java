package io.nightjar.common.tool;

import java.time.LocalDate;
import picocli.CommandLine.Option;

/** The {@code --date} of a daily tool, a picocli {@code @Mixin}: {@code @Mixin private DayOption day;}. */
public final class DayOption {

  @Option(names = "--date", required = true, paramLabel = "yyyy-MM-dd", description = "The UTC day to process.")
  private LocalDate date;

  public LocalDate get() {
    return date;
  }
}
