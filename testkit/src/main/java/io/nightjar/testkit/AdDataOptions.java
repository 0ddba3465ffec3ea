package io.nightjar.testkit;

import picocli.CommandLine.Option;

/**
 * How many seeded ad impressions over how many ads, how skewed: a picocli {@code @Mixin} of the generator and the
 * benchmark, whose defaults the command gives.
 */
public final class AdDataOptions {

  @Option(names = "--impressions", description = "Good impressions (default: ${DEFAULT-VALUE}).")
  private long impressions;

  @Option(names = "--ads", description = "Distinct ads (default: ${DEFAULT-VALUE}).")
  private int ads;

  @Option(names = "--zipf", description = "Zipf exponent of ad popularity (default: ${DEFAULT-VALUE}).")
  private double zipf;

  public AdDataOptions(long impressions, int ads, double zipf) {
    this.impressions = impressions;
    this.ads = ads;
    this.zipf = zipf;
  }

  public long impressions() {
    return impressions;
  }

  public int ads() {
    return ads;
  }

  public double zipf() {
    return zipf;
  }
}
