package io.nightjar.testkit;

import picocli.CommandLine.Option;

/**
 * How many seeded sensor readings, a picocli {@code @Mixin} of the generator and the benchmark, whose defaults the
 * command gives: {@code @Mixin private final SensorDataOptions data = new SensorDataOptions(100, 10_000);}; picocli
 * sets its public fields.
 */
public final class SensorDataOptions {

  @Option(names = "--sensors", description = "Number of sensors (default: ${DEFAULT-VALUE}).")
  public int sensors;

  @Option(names = "--readings", description = "Number of good readings (default: ${DEFAULT-VALUE}).")
  public long readings;

  public SensorDataOptions(int sensors, long readings) {
    this.sensors = sensors;
    this.readings = readings;
  }
}
