package io.nightjar.common.crunch;

import io.nightjar.common.dataset.RecordAccounting;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;

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

  // The per-record counts (in, out, written) are summed in fields and added to their Hadoop counters when the task's
  // DoFns are cleaned up: an increment of a Hadoop counter is a synchronized call, and one per record cost 11% of a
  // sensor-averages map task's samples (bench/PROFILE.md). Reasons and days stay direct: they are rare.
  private transient long pendingIn;
  private transient long pendingOut;
  private transient long pendingWritten;

  protected void countIn(long records) {
    pendingIn += records;
  }

  protected void countOut(long records) {
    pendingOut += records;
  }

  /** Records written to the output (for an aggregating job fewer than {@code out}, which counts input records). */
  protected void countWritten(long records) {
    pendingWritten += records;
  }

  /**
   * Ends the task's part of this function: {@link #finish} first (a subclass's last emits and counts), then the
   * counts kept in fields reach their counters. Final so that no subclass can lose them; override {@link #finish}.
   */
  @Override
  public final void cleanup(Emitter<T> emitter) {
    finish(emitter);
    flush(RecordAccounting.IN, pendingIn);
    flush(RecordAccounting.OUT, pendingOut);
    flush(RecordAccounting.WRITTEN, pendingWritten);
    pendingIn = 0;
    pendingOut = 0;
    pendingWritten = 0;
  }

  /** What a subclass does when its task's input ends (Crunch's {@code cleanup}); emits and counts are still taken. */
  protected void finish(Emitter<T> emitter) {
  }

  private void flush(String name, long records) {
    if (records != 0) {
      increment(RecordAccounting.GROUP, name, records);
    }
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
