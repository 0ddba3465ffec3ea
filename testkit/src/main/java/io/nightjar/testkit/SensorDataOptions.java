package io.nightjar.testkit;

import picocli.CommandLine.Option;

/**
 * How many seeded sensor readings, a picocli {@code @Mixin} of the generator and the benchmark, whose defaults the
 * command gives: {@code @Mixin private final SensorDataOptions data = new SensorDataOptions(100, 10_000);}.
 */
public final class SensorDataOptions {

  @Option(names = "--sensors", description = "Number of sensors (default: ${DEFAULT-VALUE}).")
  private int sensors;

  @Option(names = "--readings", description = "Number of good readings (default: ${DEFAULT-VALUE}).")
  private long readings;

  public SensorDataOptions(int sensors, long readings) {
    this.sensors = sensors;
    this.readings = readings;
  }

  public int sensors() {
    return sensors;
  }

  public long readings() {
    return readings;
  }
}
