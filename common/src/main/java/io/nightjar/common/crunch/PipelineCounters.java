package io.nightjar.common.crunch;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.crunch.PipelineResult;
import org.apache.hadoop.mapreduce.Counter;
import org.apache.hadoop.mapreduce.Counters;

/** Hadoop counters of a finished Crunch pipeline, summed over its MapReduce jobs. */
public final class PipelineCounters {

  private PipelineCounters() {
  }

  /** Counter name to value for one group, summed over every job of the run. */
  public static Map<String, Long> group(PipelineResult result, String group) {
    Map<String, Long> values = new TreeMap<>();
    for (PipelineResult.StageResult stage : result.getStageResults()) {
      if (stage.getCounters() != null) {
        addGroup(stage.getCounters(), group, values);
      }
    }
    return values;
  }

  /** As {@link #group(PipelineResult, String)}, summed over every job of several runs. */
  public static Map<String, Long> group(List<PipelineResult> results, String group) {
    Map<String, Long> values = new TreeMap<>();
    for (PipelineResult result : results) {
      group(result, group).forEach((name, value) -> values.merge(name, value, Long::sum));
    }
    return values;
  }

  /** Counter name to value for one group of one job's counters. */
  public static Map<String, Long> group(Counters counters, String group) {
    Map<String, Long> values = new TreeMap<>();
    addGroup(counters, group, values);
    return values;
  }

  private static void addGroup(Counters counters, String group, Map<String, Long> into) {
    for (Counter counter : counters.getGroup(group)) {
      into.merge(counter.getName(), counter.getValue(), Long::sum);
    }
  }
}
