package io.nightjar.common.crunch;

import io.nightjar.avro.QuarantineRecord;
import org.apache.crunch.Emitter;
import org.apache.crunch.Pair;

/**
 * An {@link AccountedDoFn} that checks records and routes each to the valid output or to the quarantine, typed
 * {@link NightjarTypes#orQuarantine} for {@code Channels.split}. A subclass says what is valid and why not; this class
 * emits and counts: {@link #pass} a valid record on, {@link #quarantine} a refused one with its reason, detail and raw
 * input (counted quarantined under that reason).
 */
public abstract class QuarantiningDoFn<S, T> extends AccountedDoFn<S, Pair<T, QuarantineRecord>> {

  /** A valid record, on to the output. */
  protected void pass(T record, Emitter<Pair<T, QuarantineRecord>> emitter) {
    emitter.emit(Pair.of(record, null));
  }

  /** One refused input record, quarantined with {@code reason}; {@code raw} is rendered with toString. */
  protected void quarantine(String reason, String detail, Object raw, Emitter<Pair<T, QuarantineRecord>> emitter) {
    quarantine(NightjarTypes.quarantine(reason, detail, raw.toString(), 1), emitter);
  }

  /** A quarantine record, counted as the input records it stands for under its reason. */
  protected void quarantine(QuarantineRecord record, Emitter<Pair<T, QuarantineRecord>> emitter) {
    countQuarantined(record.getReason().toString(), record.getRecords());
    emitter.emit(Pair.of(null, record));
  }
}
