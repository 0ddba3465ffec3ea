package io.nightjar.testkit;

import picocli.CommandLine.Option;

/** How many files a generator writes its records into, a picocli {@code @Mixin}. */
public final class FilesOption {

  @Option(names = "--files", defaultValue = "1", description = "Number of files (default: ${DEFAULT-VALUE}).")
  private int files;

  public int get() {
    return files;
  }
}
