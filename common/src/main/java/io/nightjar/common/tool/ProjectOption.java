package io.nightjar.common.tool;

import picocli.CommandLine.Option;

/**
 * The {@code --project} of a tool, a picocli {@code @Mixin} whose default the tool gives:
 * {@code @Mixin private final ProjectOption project = new ProjectOption("ads");} (picocli uses the instance and
 * shows its value as the default in {@code --help}).
 */
public final class ProjectOption {

  @Option(names = "--project", description = "Project folder under the root (default: ${DEFAULT-VALUE}).")
  private String project;

  public ProjectOption(String defaultName) {
    this.project = defaultName;
  }

  public String get() {
    return project;
  }
}
