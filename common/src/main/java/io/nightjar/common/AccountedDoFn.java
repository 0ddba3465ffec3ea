package io.nightjar.common;

import org.apache.crunch.DoFn;
import org.apache.hadoop.mapreduce.Counter;

/**
 * A {@link DoFn} that keeps the record accounting every nightjar job reports: each input record is counted once as
 * {@code in} where it enters the pipeline, and once as exactly one of {@code out} (represented in the published
 * output), {@code quarantined} (written to the day's quarantine with a reason) or {@code skipped} (dropped on purpose,
 * with a reason, e.g. an exact duplicate). {@link RecordAccounting} checks the sum after the run.
 *
 * <p>Counters are Hadoop counters under {@value RecordAccounting#GROUP}; reasons are counted under
 * {@value RecordAccounting#QUARANTINE_REASONS} and {@value RecordAccounting#SKIP_REASONS}. Keep the number of
 * distinct reasons small (a fixed set of codes): Hadoop limits counters per job (120 by default).
 */
public abstract class AccountedDoFn<S, T> extends DoFn<S, T> {

  // Looked up once: a counter lookup by name per record costs more than the record's own processing.
  private transient Counter in;
  private transient Counter out;
  private transient Counter written;

  protected void countIn(long records) {
    if (in == null) {
      in = getCounter(RecordAccounting.GROUP, RecordAccounting.IN);
    }
    in.increment(records);
  }

  protected void countOut(long records) {
    if (out == null) {
      out = getCounter(RecordAccounting.GROUP, RecordAccounting.OUT);
    }
    out.increment(records);
  }

  /** Records written to the output (for an aggregating job fewer than {@code out}, which counts input records). */
  protected void countWritten(long records) {
    if (written == null) {
      written = getCounter(RecordAccounting.GROUP, RecordAccounting.WRITTEN);
    }
    written.increment(records);
  }

  protected void countQuarantined(String reason, long records) {
    increment(RecordAccounting.GROUP, RecordAccounting.QUARANTINED, records);
    increment(RecordAccounting.QUARANTINE_REASONS, reason, records);
  }

  protected void countSkipped(String reason, long records) {
    increment(RecordAccounting.GROUP, RecordAccounting.SKIPPED, records);
    increment(RecordAccounting.SKIP_REASONS, reason, records);
  }

  /**
   * Attributes {@code records} already counted as out, quarantined, skipped or written ({@code kind}, one of
   * {@link RecordAccounting#OUT}, {@link RecordAccounting#QUARANTINED}, {@link RecordAccounting#SKIPPED},
   * {@link RecordAccounting#WRITTEN}) to one UTC day of a run that publishes several days;
   * {@link RecordAccounting#ofDay} reads them back. Four counters a day.
   */
  protected void countForDay(String day, String kind, long records) {
    increment(RecordAccounting.DAYS, day + " " + kind, records);
  }
}
