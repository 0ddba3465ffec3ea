package io.nightjar.jobs.sensors;

import static org.junit.Assert.assertEquals;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.SensorReading;
import io.nightjar.jobs.sensors.ReadingParser.Outcome;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.Test;

public class ReadingParserTest {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");

  @Test
  public void parsesTheDeviceFormat() {
    Outcome outcome = ReadingParser.parseLine("s1,2016-05-01 01:02:03,1", DAY);
    assertEquals(Outcome.Kind.VALID, outcome.kind);
    assertEquals(new SensorReading("s1", Instant.parse("2016-05-01T01:02:03Z").toEpochMilli(), 1.0),
        outcome.reading);
  }

  @Test
  public void parsesTabsIsoAndEpochMillis() {
    long expected = Instant.parse("2016-05-01T23:59:59.500Z").toEpochMilli();
    assertEquals(expected, ReadingParser.parseLine("s1\t2016-05-01T23:59:59.500Z\t-2.5", DAY).reading.getTimestamp().longValue());
    assertEquals(expected, ReadingParser.parseLine("s1," + expected + ",3", DAY).reading.getTimestamp().longValue());
    assertEquals(expected, ReadingParser.parseLine(" s1 , 2016-05-01 23:59:59.500 , 3 ", DAY).reading.getTimestamp().longValue());
  }

  @Test
  public void refusesEachKindOfBadLineWithItsReason() {
    assertOutcome(Outcome.Kind.SKIP, ReadingParser.BLANK_LINE, "   ");
    assertOutcome(Outcome.Kind.SKIP, ReadingParser.HEADER, "sensorId,timestamp,value");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.UNPARSABLE_LINE, "s1,2016-05-01 01:02:03");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.UNPARSABLE_LINE, "s1,2016-05-01 01:02:03,1,2");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.MISSING_FIELD, ",2016-05-01 01:02:03,1");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.MISSING_FIELD, "s1,2016-05-01 01:02:03,");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.BAD_TIMESTAMP, "s1,yesterday,1");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.BAD_TIMESTAMP, "s1,2016-05-01 25:00:00,1");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.BAD_VALUE, "s1,2016-05-01 01:02:03,1x");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.NON_FINITE_VALUE, "s1,2016-05-01 01:02:03,NaN");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.NON_FINITE_VALUE, "s1,2016-05-01 01:02:03,-Infinity");
    // Double.parseDouble reads these as 5.0 and 8.0; a device value is a plain decimal number.
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.BAD_VALUE, "s1,2016-05-01 01:02:03,5d");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.BAD_VALUE, "s1,2016-05-01 01:02:03,5f");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.BAD_VALUE, "s1,2016-05-01 01:02:03,0x1p3");
    assertOutcome(Outcome.Kind.VALID, null, "s1,2016-05-01 01:02:03,-2.15e+1");
    // Finite, but two of them sum to infinity: refused so that every published figure is finite.
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.VALUE_OUT_OF_RANGE, "s1,2016-05-01 01:02:03,1.7976931348623157E308");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.VALUE_OUT_OF_RANGE, "s1,2016-05-01 01:02:03,-1e308");
    assertOutcome(Outcome.Kind.VALID, null, "s1,2016-05-01 01:02:03,1e15");
    // Ids that are not printable text: an invalid UTF-8 byte decoded as U+FFFD, NUL, a right-to-left override.
    assertOutcome(Outcome.Kind.QUARANTINE, io.nightjar.common.crunch.TextIds.BAD_ID, "s\uFFFD1,2016-05-01 01:02:03,1");
    assertOutcome(Outcome.Kind.QUARANTINE, io.nightjar.common.crunch.TextIds.BAD_ID, "s\u00001,2016-05-01 01:02:03,1");
    assertOutcome(Outcome.Kind.QUARANTINE, io.nightjar.common.crunch.TextIds.BAD_ID, "s\u202E1,2016-05-01 01:02:03,1");
    assertOutcome(Outcome.Kind.SKIP, ReadingParser.OTHER_DAY, "s1,2016-05-02 00:00:00,1");
    assertOutcome(Outcome.Kind.SKIP, ReadingParser.OTHER_DAY, "s1,2016-04-30 23:59:59,1");
    assertOutcome(Outcome.Kind.SKIP, ReadingParser.OTHER_DAY, "s1,2016-05-08 23:59:59,1");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.IMPLAUSIBLE_TIMESTAMP, "s1,2016-05-09 00:00:00,1");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.IMPLAUSIBLE_TIMESTAMP, "s1,3016-05-01 00:00:00,1");
    assertOutcome(Outcome.Kind.QUARANTINE, ReadingParser.IMPLAUSIBLE_TIMESTAMP, "s1,0,1");
  }

  @Test
  public void periodsAreUtcFloors() {
    long t = Instant.parse("2016-05-01T13:47:12.345Z").toEpochMilli();
    assertEquals(Instant.parse("2016-05-01T00:00:00Z").toEpochMilli(), Periods.start(t, Granularity.DAY));
    assertEquals(Instant.parse("2016-05-01T13:00:00Z").toEpochMilli(), Periods.start(t, Granularity.HOUR));
    assertEquals(Instant.parse("2016-05-01T13:47:00Z").toEpochMilli(), Periods.start(t, Granularity.MINUTE));
  }

  private static void assertOutcome(Outcome.Kind kind, String reason, String line) {
    Outcome outcome = ReadingParser.parseLine(line, DAY);
    assertEquals(line, kind, outcome.kind);
    assertEquals(line, reason, outcome.reason);
  }
}
