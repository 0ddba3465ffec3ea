package io.nightjar.jobs.analysis;

import io.nightjar.avro.Analysis;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;

/** Track attributes from one analysis record: a pure function, the same wherever and however often it runs. */
public final class TrackAttributesFunction {

  private static final String[] KEYS = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};

  private TrackAttributesFunction() {
  }

  /** The attributes of a live (not deleted) track. */
  public static TrackAttributes compute(TrackAnalysis track) {
    Analysis a = track.getAnalysis();
    if (track.getDeleted() || a == null) {
      throw new IllegalArgumentException("no attributes for a deleted track or one without analysis: "
          + track.getTrackId());
    }
    double tempo = Math.round(a.getTempo() * 10) / 10.0;
    return TrackAttributes.newBuilder()
        .setTrackId(track.getTrackId())
        .setTempo(tempo)
        .setTempoClass(tempo < 90 ? "slow" : tempo < 130 ? "medium" : "fast")
        .setKey(a.getKey() >= 0 && a.getKey() < KEYS.length ? KEYS[a.getKey()] : null)
        .setMode(a.getMode() == 1 ? "major" : "minor")
        .setLoudness(Math.round(a.getLoudness() * 10) / 10.0)
        .setAcoustic(a.getAcousticness() >= 0.5)
        .setInstrumental(a.getInstrumentalness() >= 0.5)
        .setAnalysisFetchedAt(track.getFetchedAt())
        .build();
  }
}
