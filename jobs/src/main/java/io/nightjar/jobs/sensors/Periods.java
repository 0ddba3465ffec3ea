package io.nightjar.jobs.sensors;

import io.nightjar.avro.Granularity;

/** Period arithmetic in UTC epoch milliseconds. */
public final class Periods {

  public static final long MINUTE_MILLIS = 60_000L;
  public static final long HOUR_MILLIS = 60 * MINUTE_MILLIS;
  public static final long DAY_MILLIS = 24 * HOUR_MILLIS;

  private Periods() {
  }

  public static long lengthMillis(Granularity granularity) {
    switch (granularity) {
      case MINUTE:
        return MINUTE_MILLIS;
      case HOUR:
        return HOUR_MILLIS;
      default:
        return DAY_MILLIS;
    }
  }

  /** Start of the period holding {@code timestamp}. */
  public static long start(long timestamp, Granularity granularity) {
    return timestamp - Math.floorMod(timestamp, lengthMillis(granularity));
  }
}
