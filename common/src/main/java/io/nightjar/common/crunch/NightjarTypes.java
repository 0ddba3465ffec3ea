package io.nightjar.common.crunch;

import io.nightjar.avro.QuarantineRecord;
import org.apache.crunch.Pair;
import org.apache.crunch.types.PType;
import org.apache.crunch.types.avro.Avros;

/**
 * Avro PTypes shared by the pipelines. A DoFn that may refuse records emits {@code Pair<T, QuarantineRecord>} with
 * exactly one side non-null, typed {@link #orQuarantine}; {@code org.apache.crunch.lib.Channels.split} then gives the
 * good and the quarantined records as two collections from one pass over the input.
 */
public final class NightjarTypes {

  private NightjarTypes() {
  }

  public static PType<QuarantineRecord> quarantineRecords() {
    return Avros.specifics(QuarantineRecord.class);
  }

  public static <T> PType<Pair<T, QuarantineRecord>> orQuarantine(PType<T> good) {
    return Avros.pairs(good, quarantineRecords());
  }

  /** A quarantine record standing for {@code records} input records. */
  public static QuarantineRecord quarantine(String reason, String detail, String raw, long records) {
    return QuarantineRecord.newBuilder().setReason(reason).setDetail(detail).setRaw(raw).setRecords(records).build();
  }

  /** The same, for the quarantine of {@code day} in a run that covers several days. */
  public static QuarantineRecord quarantine(String reason, String detail, String raw, long records, String day) {
    return QuarantineRecord.newBuilder().setReason(reason).setDetail(detail).setRaw(raw).setRecords(records)
        .setDay(day).build();
  }
}
