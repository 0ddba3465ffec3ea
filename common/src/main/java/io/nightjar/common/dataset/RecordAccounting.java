package io.nightjar.common.dataset;

import io.nightjar.common.crunch.AccountedDoFn;
import io.nightjar.common.crunch.PipelineCounters;
import io.nightjar.common.tool.JobFailedException;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.crunch.PipelineResult;
import org.apache.hadoop.mapreduce.Counters;

/**
 * The record accounting of one run, read from the counters {@link AccountedDoFn} keeps:
 * {@code in = out + quarantined + skipped}. {@link #check} fails the run when that does not hold, so a record lost
 * by a bug is caught before anything is published; {@link #checkQuarantineFraction} fails it when too much input was
 * bad to trust the output.
 */
public final class RecordAccounting {

  public static final String GROUP = "nightjar.records";
  public static final String QUARANTINE_REASONS = "nightjar.quarantined";
  public static final String SKIP_REASONS = "nightjar.skipped";
  /** Per-day attribution in runs that publish several days: counters named {@code <yyyy-MM-dd> <kind>}. */
  public static final String DAYS = "nightjar.days";
  public static final String IN = "in";
  public static final String OUT = "out";
  public static final String QUARANTINED = "quarantined";
  public static final String SKIPPED = "skipped";
  /** Output records written; not part of the balance (an aggregate stands for many input records). */
  public static final String WRITTEN = "written";

  /** Configuration key: the largest fraction of input records that may be quarantined before a run fails. */
  public static final String MAX_QUARANTINE_FRACTION_KEY = "nightjar.quarantine.max-fraction";
  public static final double DEFAULT_MAX_QUARANTINE_FRACTION = 0.01;

  private final Map<String, Long> totals;
  private final Map<String, Long> quarantineReasons;
  private final Map<String, Long> skipReasons;

  private RecordAccounting(Map<String, Long> totals, Map<String, Long> quarantineReasons,
      Map<String, Long> skipReasons) {
    this.totals = totals;
    this.quarantineReasons = quarantineReasons;
    this.skipReasons = skipReasons;
  }

  /** Sums the accounting counters over every MapReduce job of a finished pipeline. */
  public static RecordAccounting of(PipelineResult result) {
    return new RecordAccounting(PipelineCounters.group(result, GROUP),
        PipelineCounters.group(result, QUARANTINE_REASONS), PipelineCounters.group(result, SKIP_REASONS));
  }

  /** The accounting counters of plain Hadoop counters (one job, or MemPipeline's). */
  public static RecordAccounting of(Counters counters) {
    return new RecordAccounting(PipelineCounters.group(counters, GROUP),
        PipelineCounters.group(counters, QUARANTINE_REASONS), PipelineCounters.group(counters, SKIP_REASONS));
  }

  /**
   * The accounting of one day of a run that publishes several: out, quarantined and skipped as attributed to
   * {@code day} ({@link AccountedDoFn#countForDay}), in as their sum; reasons are the whole run's. The run's own
   * balance is checked on {@link #of(PipelineResult)}.
   */
  public static RecordAccounting ofDay(PipelineResult result, String day) {
    return ofDay(result, day, PipelineCounters.group(result, QUARANTINE_REASONS),
        PipelineCounters.group(result, SKIP_REASONS));
  }

  /**
   * As {@link #ofDay(PipelineResult, String)} with the day's own reasons (counted from its quarantine, say), not the
   * run's.
   */
  public static RecordAccounting ofDay(PipelineResult result, String day, Map<String, Long> quarantineReasons,
      Map<String, Long> skipReasons) {
    Map<String, Long> days = PipelineCounters.group(result, DAYS);
    Map<String, Long> totals = new HashMap<>();
    long in = 0;
    for (String kind : new String[] {OUT, QUARANTINED, SKIPPED}) {
      long records = days.getOrDefault(day + " " + kind, 0L);
      totals.put(kind, records);
      in += records;
    }
    totals.put(IN, in);
    totals.put(WRITTEN, days.getOrDefault(day + " " + WRITTEN, 0L));
    return new RecordAccounting(totals, quarantineReasons, skipReasons);
  }

  public long in() {
    return totals.getOrDefault(IN, 0L);
  }

  public long out() {
    return totals.getOrDefault(OUT, 0L);
  }

  public long written() {
    return totals.getOrDefault(WRITTEN, 0L);
  }

  public long quarantined() {
    return totals.getOrDefault(QUARANTINED, 0L);
  }

  public long skipped() {
    return totals.getOrDefault(SKIPPED, 0L);
  }

  /** Quarantined records by reason code. */
  public Map<String, Long> quarantineReasons() {
    return quarantineReasons;
  }

  /** Skipped records by reason code. */
  public Map<String, Long> skipReasons() {
    return skipReasons;
  }

  public boolean balances() {
    return in() == out() + quarantined() + skipped();
  }

  /** Fails when {@code in != out + quarantined + skipped}. */
  public void check() {
    if (!balances()) {
      throw new JobFailedException("record accounting does not balance: " + this
          + " (" + (in() - out() - quarantined() - skipped()) + " records unaccounted for); nothing published");
    }
  }

  /** Fails when more than {@code maxFraction} of the input was quarantined. */
  public void checkQuarantineFraction(double maxFraction, Object quarantineLocation) {
    if (in() > 0 && (double) quarantined() / in() > maxFraction) {
      throw new JobFailedException(String.format(
          "%d of %d records (%.2f%%) quarantined, above %s=%s, mostly %s; output not published, quarantine at %s",
          quarantined(), in(), 100.0 * quarantined() / in(), MAX_QUARANTINE_FRACTION_KEY, maxFraction,
          topReasons(quarantineReasons, 3), quarantineLocation));
    }
  }

  /** The {@code limit} largest reasons, e.g. {@code OTHER_DAY 9980, BAD_VALUE 3}. */
  static String topReasons(Map<String, Long> reasons, int limit) {
    return reasons.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(limit)
        .map(reason -> reason.getKey() + " " + reason.getValue())
        .collect(Collectors.joining(", "));
  }

  /** One line: {@code in=… out=… quarantined=… skipped=…} with reasons. */
  @Override
  public String toString() {
    StringBuilder line = new StringBuilder()
        .append("in=").append(in())
        .append(" out=").append(out())
        .append(" quarantined=").append(quarantined());
    if (!quarantineReasons.isEmpty()) {
      line.append(' ').append(quarantineReasons);
    }
    line.append(" skipped=").append(skipped());
    if (!skipReasons.isEmpty()) {
      line.append(' ').append(skipReasons);
    }
    line.append(" written=").append(written());
    return line.toString();
  }
}
