package io.nightjar.testkit;

import picocli.CommandLine.Option;

/** The {@code --output} folder of a generator, a picocli {@code @Mixin}: {@code @Mixin private OutputOption output;}. */
public final class OutputOption {

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder to write into.")
  private String output;

  public String get() {
    return output;
  }
}
