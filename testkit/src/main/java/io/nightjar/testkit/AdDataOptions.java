package io.nightjar.testkit;

import picocli.CommandLine.Option;

/**
 * How many seeded ad impressions over how many ads, how skewed: a picocli {@code @Mixin} of the generator and the
 * benchmark, whose defaults the command gives; picocli sets its public fields.
 */
public final class AdDataOptions {

  @Option(names = "--impressions", description = "Good impressions (default: ${DEFAULT-VALUE}).")
  public long impressions;

  @Option(names = "--ads", description = "Distinct ads (default: ${DEFAULT-VALUE}).")
  public int ads;

  @Option(names = "--zipf", description = "Zipf exponent of ad popularity (default: ${DEFAULT-VALUE}).")
  public double zipf;

  public AdDataOptions(long impressions, int ads, double zipf) {
    this.impressions = impressions;
    this.ads = ads;
    this.zipf = zipf;
  }
}
