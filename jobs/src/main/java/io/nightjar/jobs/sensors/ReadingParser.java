package io.nightjar.jobs.sensors;

import io.nightjar.avro.SensorReading;
import io.nightjar.common.crunch.TextIds;
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
 *   <li>sensor id that is not printable text (bytes that are not UTF-8, NUL, U+202E...): quarantined,
 *       {@code BAD_ID} ({@link TextIds});</li>
 *   <li>timestamp that does not parse: quarantined, {@code BAD_TIMESTAMP};</li>
 *   <li>value that is not a plain decimal number ({@code 1x}, Java's {@code 5d}, {@code 5f}, hexadecimal
 *       {@code 0x1p3}): quarantined, {@code BAD_VALUE};</li>
 *   <li>NaN or infinite value: quarantined, {@code NON_FINITE_VALUE};</li>
 *   <li>a finite value beyond &plusmn;{@value #MAX_ABS_VALUE}: quarantined, {@code VALUE_OUT_OF_RANGE}. No sensor
 *       measures that, and the bound keeps every period's sum finite: a sum of n such values is at most
 *       n &times; 1e15, finite for any n below 1e293, so finite readings always publish finite figures (two readings
 *       of 1.7e308 would otherwise sum to infinity);</li>
 *   <li>timestamp on a UTC day the run was not asked for, within {@value #OTHER_DAY_WINDOW} days of those it was:
 *       skipped, {@code OTHER_DAY} (a device file crossing midnight; that day has a run of its own), checked first,
 *       so a bad reading or line of that day is quarantined by that day's run only, not by every run that reads the
 *       file. A line with no readable timestamp belongs to no day: each run that reads it quarantines it;</li>
 *   <li>timestamp further away (a device clock reset to 1970, a year 3016): quarantined,
 *       {@code IMPLAUSIBLE_TIMESTAMP}.</li>
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
  public static final String VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE";
  /** The largest magnitude of a reading's value: sums of any period stay finite (see the class comment). */
  public static final double MAX_ABS_VALUE = 1e15;
  public static final String OTHER_DAY = "OTHER_DAY";
  public static final String IMPLAUSIBLE_TIMESTAMP = "IMPLAUSIBLE_TIMESTAMP";
  /** Days before and after the days asked for whose readings count as another day's, not as implausible. */
  public static final int OTHER_DAY_WINDOW = 7;

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
    /** The UTC day of the reading when its timestamp was read (null otherwise). */
    public final LocalDate day;

    private Outcome(Kind kind, SensorReading reading, String reason, String detail) {
      this(kind, reading, reason, detail, null);
    }

    private Outcome(Kind kind, SensorReading reading, String reason, String detail, LocalDate day) {
      this.kind = kind;
      this.reading = reading;
      this.reason = reason;
      this.detail = detail;
      this.day = day;
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
    return parseLine(line, day, day);
  }

  /**
   * Parses one text line and checks it against the days {@code from} to {@code to} (inclusive). A line is dated
   * first, whatever else is wrong with it: its second field, when that reads as a timestamp, gives its day, so a
   * damaged line of another day is skipped ({@code OTHER_DAY}) and quarantined only by the run of its own day.
   */
  public static Outcome parseLine(String line, LocalDate from, LocalDate to) {
    if (line.trim().isEmpty()) {
      return Outcome.skip(BLANK_LINE, "blank line");
    }
    String[] fields = line.split(line.indexOf('\t') >= 0 ? "\t" : ",", -1);
    String sensorId = fields[0].trim();
    if (fields.length == 3 && (sensorId.equalsIgnoreCase("sensorId") || sensorId.equalsIgnoreCase("sensor_id")
        || sensorId.equalsIgnoreCase("sensor"))) {
      return Outcome.skip(HEADER, "header line");
    }
    String time = fields.length > 1 ? fields[1].trim() : "";
    Long timestamp = time.isEmpty() ? null : timestampOrNull(time);
    if (timestamp != null) {
      Outcome notThisRun = otherDayOrImplausible(timestamp, from, to);
      if (notThisRun != null) {
        return notThisRun;
      }
    }
    LocalDate day = timestamp == null ? null : dayOf(timestamp);
    if (fields.length != 3) {
      return new Outcome(Outcome.Kind.QUARANTINE, null, UNPARSABLE_LINE,
          "expected 3 fields sensorId,timestamp,value; found " + fields.length, day);
    }
    String value = fields[2].trim();
    if (sensorId.isEmpty() || time.isEmpty() || value.isEmpty()) {
      return new Outcome(Outcome.Kind.QUARANTINE, null, MISSING_FIELD, "empty " + (sensorId.isEmpty() ? "sensorId"
          : time.isEmpty() ? "timestamp" : "value"), day);
    }
    if (timestamp == null) {
      return Outcome.quarantine(BAD_TIMESTAMP, "unparsable timestamp '" + time + "'");
    }
    Double number = plainDecimal(value) ? numberOrNull(value) : null; // "1e" and "." pass plainDecimal
    if (number == null) {
      return new Outcome(Outcome.Kind.QUARANTINE, null, BAD_VALUE, "unparsable value '" + value
          + "' (a decimal number, e.g. 21.5 or 2.15e1)", day);
    }
    return check(new SensorReading(sensorId, timestamp, number), from, to);
  }

  private static Double numberOrNull(String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long timestampOrNull(String time) {
    try {
      return parseTimestamp(time);
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  /** Checks a reading (from Avro input or a parsed line) against {@code day}. */
  public static Outcome check(SensorReading reading, LocalDate day) {
    return check(reading, day, day);
  }

  /**
   * Checks a reading against the days {@code from} to {@code to} (inclusive): its day first, so a bad reading of
   * another day is that day's run's to quarantine.
   */
  public static Outcome check(SensorReading reading, LocalDate from, LocalDate to) {
    Outcome notThisRun = otherDayOrImplausible(reading.getTimestamp(), from, to);
    if (notThisRun != null) {
      return notThisRun;
    }
    // Epoch days, not LocalDates: this runs once per reading; a LocalDate is made only for a refused one.
    long day = Math.floorDiv(reading.getTimestamp(), Periods.DAY_MILLIS);
    if (reading.getSensorId() == null || reading.getSensorId().trim().isEmpty()) {
      return new Outcome(Outcome.Kind.QUARANTINE, null, MISSING_FIELD, "empty sensorId", LocalDate.ofEpochDay(day));
    }
    String badId = TextIds.problem(reading.getSensorId());
    if (badId != null) {
      return new Outcome(Outcome.Kind.QUARANTINE, null, TextIds.BAD_ID, "sensorId " + badId,
          LocalDate.ofEpochDay(day));
    }
    if (!Double.isFinite(reading.getValue())) {
      return new Outcome(Outcome.Kind.QUARANTINE, null, NON_FINITE_VALUE, "value " + reading.getValue(),
          LocalDate.ofEpochDay(day));
    }
    if (Math.abs(reading.getValue()) > MAX_ABS_VALUE) {
      return new Outcome(Outcome.Kind.QUARANTINE, null, VALUE_OUT_OF_RANGE, "value " + reading.getValue()
          + " is beyond +-" + MAX_ABS_VALUE, LocalDate.ofEpochDay(day));
    }
    return Outcome.valid(reading);
  }

  /** Skipped as another day's, or quarantined as implausibly far; null for a timestamp on a day asked for. */
  private static Outcome otherDayOrImplausible(long timestamp, LocalDate from, LocalDate to) {
    long day = Math.floorDiv(timestamp, Periods.DAY_MILLIS);
    if (day < from.toEpochDay() - OTHER_DAY_WINDOW || day > to.toEpochDay() + OTHER_DAY_WINDOW) {
      return Outcome.quarantine(IMPLAUSIBLE_TIMESTAMP, Instant.ofEpochMilli(timestamp)
          + " is more than " + OTHER_DAY_WINDOW + " days from " + (from.equals(to) ? from : from + ".." + to));
    }
    if (day < from.toEpochDay() || day > to.toEpochDay()) {
      return Outcome.skip(OTHER_DAY, LocalDate.ofEpochDay(day).toString());
    }
    return null;
  }

  /**
   * Whether {@code value} is written as a decimal number (digits, point, exponent, signs) or as NaN / Infinity (which
   * {@link #check} quarantines as non-finite): not Java's type suffixes ({@code 5d}, {@code 5f}) or hexadecimal
   * floating point, which {@link Double#parseDouble} would accept.
   */
  static boolean plainDecimal(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < '0' || c > '9') && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
        String unsigned = value.charAt(0) == '+' || value.charAt(0) == '-' ? value.substring(1) : value;
        return unsigned.equals("NaN") || unsigned.equals("Infinity");
      }
    }
    return true;
  }

  /** The UTC day of an epoch-millisecond timestamp. */
  public static LocalDate dayOf(long timestamp) {
    return LocalDate.ofEpochDay(Math.floorDiv(timestamp, Periods.DAY_MILLIS));
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
