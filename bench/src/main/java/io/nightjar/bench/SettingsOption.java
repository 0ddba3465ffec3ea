package io.nightjar.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Settings added to every nightjar run of a benchmark ({@code --set key=value}), a picocli {@code @Mixin}. */
final class SettingsOption {

  @Option(names = "--set", description = "A setting of every nightjar run, key=value, repeatable (e.g. "
      + "mapreduce.task.io.sort.mb=64).")
  private Map<String, String> set = new LinkedHashMap<>();

  /** A copy of {@code settings} with the ones given on the command line added (they win). */
  Map<String, String> over(Map<String, String> settings) {
    Map<String, String> all = new LinkedHashMap<>(settings);
    all.putAll(set);
    return all;
  }
}
