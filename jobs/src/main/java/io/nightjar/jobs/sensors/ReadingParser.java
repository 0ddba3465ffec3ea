package io.nightjar.jobs.sensors;

import io.nightjar.avro.SensorReading;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parses and checks device readings. A line is {@code sensorId,timestamp,value} (comma or tab separated) with the
 * timestamp as {@code yyyy-MM-dd HH:mm:ss[.SSS]} in UTC (the device format), ISO-8601 ({@code 2016-05-01T01:02:03Z})
 * or epoch milliseconds. Pure functions: both the Crunch pipeline and the plain MapReduce mapper use them.
 *
 * <p>What happens to each kind of bad input:
 * <ul>
 *   <li>blank line, header line ({@code sensorId,...}): skipped, reasons {@code BLANK_LINE}, {@code HEADER};</li>
 *   <li>wrong number of fields: quarantined, {@code UNPARSABLE_LINE};</li>
 *   <li>empty sensor id, timestamp or value: quarantined, {@code MISSING_FIELD};</li>
 *   <li>timestamp that does not parse: quarantined, {@code BAD_TIMESTAMP};</li>
 *   <li>value that does not parse: quarantined, {@code BAD_VALUE};</li>
 *   <li>NaN or infinite value: quarantined, {@code NON_FINITE_VALUE};</li>
 *   <li>timestamp outside the UTC day being processed: quarantined, {@code OUTSIDE_DAY} (late data belongs to a
 *       rerun of its own day).</li>
 * </ul>
 */
public final class ReadingParser {

  public static final String BLANK_LINE = "BLANK_LINE";
  public static final String HEADER = "HEADER";
  public static final String UNPARSABLE_LINE = "UNPARSABLE_LINE";
  public static final String MISSING_FIELD = "MISSING_FIELD";
  public static final String BAD_TIMESTAMP = "BAD_TIMESTAMP";
  public static final String BAD_VALUE = "BAD_VALUE";
  public static final String NON_FINITE_VALUE = "NON_FINITE_VALUE";
  public static final String OUTSIDE_DAY = "OUTSIDE_DAY";

  private static final DateTimeFormatter DEVICE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

  private ReadingParser() {
  }

  /** The outcome for one input: a valid reading, a record to skip, or one to quarantine, with reason and detail. */
  public static final class Outcome {
    public enum Kind { VALID, SKIP, QUARANTINE }

    public final Kind kind;
    public final SensorReading reading;
    public final String reason;
    public final String detail;

    private Outcome(Kind kind, SensorReading reading, String reason, String detail) {
      this.kind = kind;
      this.reading = reading;
      this.reason = reason;
      this.detail = detail;
    }

    static Outcome valid(SensorReading reading) {
      return new Outcome(Kind.VALID, reading, null, null);
    }

    static Outcome skip(String reason, String detail) {
      return new Outcome(Kind.SKIP, null, reason, detail);
    }

    static Outcome quarantine(String reason, String detail) {
      return new Outcome(Kind.QUARANTINE, null, reason, detail);
    }
  }

  /** Parses one text line and checks it against {@code day}. */
  public static Outcome parseLine(String line, LocalDate day) {
    if (line.trim().isEmpty()) {
      return Outcome.skip(BLANK_LINE, "blank line");
    }
    String[] fields = line.split(line.indexOf('\t') >= 0 ? "\t" : ",", -1);
    if (fields.length != 3) {
      return Outcome.quarantine(UNPARSABLE_LINE, "expected 3 fields sensorId,timestamp,value; found " + fields.length);
    }
    String sensorId = fields[0].trim();
    String time = fields[1].trim();
    String value = fields[2].trim();
    if (sensorId.equalsIgnoreCase("sensorId") || sensorId.equalsIgnoreCase("sensor_id")
        || sensorId.equalsIgnoreCase("sensor")) {
      return Outcome.skip(HEADER, "header line");
    }
    if (sensorId.isEmpty() || time.isEmpty() || value.isEmpty()) {
      return Outcome.quarantine(MISSING_FIELD, "empty " + (sensorId.isEmpty() ? "sensorId" : time.isEmpty()
          ? "timestamp" : "value"));
    }
    long timestamp;
    try {
      timestamp = parseTimestamp(time);
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
      return Outcome.quarantine(BAD_TIMESTAMP, "unparsable timestamp '" + time + "'");
    }
    double number;
    try {
      number = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return Outcome.quarantine(BAD_VALUE, "unparsable value '" + value + "'");
    }
    return check(new SensorReading(sensorId, timestamp, number), day);
  }

  /** Checks a reading (from Avro input or a parsed line) against {@code day}. */
  public static Outcome check(SensorReading reading, LocalDate day) {
    if (reading.getSensorId() == null || reading.getSensorId().trim().isEmpty()) {
      return Outcome.quarantine(MISSING_FIELD, "empty sensorId");
    }
    if (!Double.isFinite(reading.getValue())) {
      return Outcome.quarantine(NON_FINITE_VALUE, "value " + reading.getValue());
    }
    long dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long ts = reading.getTimestamp();
    if (ts < dayStart || ts >= dayStart + Periods.DAY_MILLIS) {
      return Outcome.quarantine(OUTSIDE_DAY, Instant.ofEpochMilli(ts) + " is not in " + day + " UTC");
    }
    return Outcome.valid(reading);
  }

  /** Epoch milliseconds of a device, ISO-8601 or epoch-millisecond timestamp. */
  static long parseTimestamp(String time) {
    if (time.indexOf('T') > 0) {
      return Instant.parse(time).toEpochMilli();
    }
    if (time.indexOf('-') > 0) {
      return LocalDateTime.parse(time, DEVICE_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
    return Long.parseLong(time);
  }
}
