package io.nightjar.testkit;

import picocli.CommandLine.Option;

/**
 * How many seeded tracks and how long their analysis documents, a picocli {@code @Mixin} of the track generators and
 * benchmarks, whose defaults the command gives; picocli sets its public fields.
 */
public final class TrackDataOptions {

  @Option(names = "--tracks", description = "Tracks (the dump's ids, or day 1's tracks; default: ${DEFAULT-VALUE}).")
  public int tracks;

  @Option(names = "--segments", description = "Segments per analysis document, about 3 per second of a real track; "
      + "500 is about 250 KB of JSON (default: ${DEFAULT-VALUE}).")
  public int segments;

  public TrackDataOptions(int tracks, int segments) {
    this.tracks = tracks;
    this.segments = segments;
  }
}
