package io.nightjar.jobs.tracks.snapshots;

import io.nightjar.avro.AudioAnalysis;
import io.nightjar.avro.Section;
import io.nightjar.avro.Segment;
import io.nightjar.avro.TimeInterval;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.avro.TrackSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Track attributes from one analysis document: a pure function, the same wherever and however often it runs. This is
 * the heavy part of {@code attributes-daily}: one pass over the segments (several hundred per track, 24 coefficients
 * each) plus a sort of their peak loudness; the formulas are in the {@code TrackAttributes} schema's field docs.
 */
public final class TrackAttributesFunction {

  static final String[] KEYS = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  /** Adjacent sections whose tempos differ by more than this (bpm) count as a tempo change. */
  static final double TEMPO_CHANGE_BPM = 5.0;
  private static final int K = 12;

  private TrackAttributesFunction() {
  }

  /** The attributes of a live (not deleted) track. */
  public static TrackAttributes compute(TrackAnalysis track) {
    AudioAnalysis a = track.getAnalysis();
    if (track.getDeleted() || a == null) {
      throw new IllegalArgumentException("no attributes for a deleted track or one without analysis: "
          + track.getTrackId());
    }
    TrackSummary summary = a.getTrack();
    TrackAttributes attributes = new TrackAttributes();
    attributes.setTrackId(track.getTrackId());
    attributes.setAnalysisFetchedAt(track.getFetchedAt());
    double duration = summary.getDuration();
    attributes.setDuration(Math.round(duration * 100) / 100.0);
    Double tempo = summary.getTempo() == null ? null : Math.round(summary.getTempo() * 10) / 10.0;
    attributes.setTempo(tempo);
    attributes.setTempoClass(tempo == null ? null : tempo < 90 ? "slow" : tempo < 130 ? "medium" : "fast");
    Integer key = summary.getKey();
    attributes.setKey(key != null && key >= 0 && key < K ? KEYS[key] : null);
    Integer mode = summary.getMode();
    attributes.setMode(mode == null ? null : mode == 1 ? "major" : mode == 0 ? "minor" : null);
    attributes.setTimeSignature(summary.getTimeSignature());
    attributes.setLoudness(summary.getLoudness() == null ? null : Math.round(summary.getLoudness() * 10) / 10.0);
    segmentAttributes(a.getSegments(), duration, attributes);
    sectionAttributes(a.getSections(), attributes);
    attributes.setBeatRegularity(coefficientOfVariation(a.getBeats()));
    return attributes;
  }

  /** Timbre mean and variance, pitch-class profile (duration-weighted), loudness range and dynamics, segment rate. */
  static void segmentAttributes(List<Segment> segments, double duration, TrackAttributes out) {
    int n = segments.size();
    out.setSegmentCount(n);
    out.setSegmentRate(duration > 0 ? n / duration : 0.0);
    if (n == 0) {
      out.setTimbreMean(Collections.emptyList());
      out.setTimbreVariance(Collections.emptyList());
      out.setPitchClassProfile(Collections.emptyList());
      out.setLoudnessRange(null);
      out.setDynamics(null);
      return;
    }
    double totalWeight = 0;
    for (Segment s : segments) {
      totalWeight += s.getDuration();
    }
    boolean equalWeights = !(totalWeight > 0);
    double weights = equalWeights ? n : totalWeight;
    double[] timbreSum = new double[K];
    double[] timbreSquares = new double[K];
    double[] pitchSum = new double[K];
    double[] peaks = new double[n];
    double peakSum = 0;
    for (int i = 0; i < n; i++) {
      Segment s = segments.get(i);
      double w = equalWeights ? 1 : s.getDuration();
      List<Float> timbre = s.getTimbre();
      List<Float> pitches = s.getPitches();
      for (int k = 0; k < K; k++) {
        double t = timbre.get(k);
        timbreSum[k] += w * t;
        timbreSquares[k] += w * t * t;
        pitchSum[k] += w * pitches.get(k);
      }
      peaks[i] = s.getLoudnessMax();
      peakSum += peaks[i];
    }
    List<Double> mean = new ArrayList<>(K);
    List<Double> variance = new ArrayList<>(K);
    double pitchTotal = 0;
    for (int k = 0; k < K; k++) {
      double m = timbreSum[k] / weights;
      mean.add(m);
      variance.add(Math.max(0, timbreSquares[k] / weights - m * m)); // E[x^2] - E[x]^2, clamped for rounding
      pitchTotal += pitchSum[k];
    }
    List<Double> profile = new ArrayList<>(K);
    if (pitchTotal > 0) {
      for (int k = 0; k < K; k++) {
        profile.add(pitchSum[k] / pitchTotal);
      }
    }
    out.setTimbreMean(mean);
    out.setTimbreVariance(variance);
    out.setPitchClassProfile(profile);
    double peakMean = peakSum / n;
    double peakSquares = 0;
    for (double peak : peaks) {
      peakSquares += (peak - peakMean) * (peak - peakMean);
    }
    out.setDynamics(Math.sqrt(peakSquares / n));
    Arrays.sort(peaks);
    out.setLoudnessRange(percentile(peaks, 95) - percentile(peaks, 5));
  }

  /** Section count, and tempo and key (or mode) changes between adjacent sections. */
  static void sectionAttributes(List<Section> sections, TrackAttributes out) {
    int tempoChanges = 0;
    int keyChanges = 0;
    for (int i = 1; i < sections.size(); i++) {
      Section before = sections.get(i - 1);
      Section after = sections.get(i);
      if (Math.abs(after.getTempo() - before.getTempo()) > TEMPO_CHANGE_BPM) {
        tempoChanges++;
      }
      if (!after.getKey().equals(before.getKey()) || !after.getMode().equals(before.getMode())) {
        keyChanges++;
      }
    }
    out.setSectionCount(sections.size());
    out.setTempoChanges(tempoChanges);
    out.setKeyChanges(keyChanges);
  }

  /** Population standard deviation / mean of the interval durations; null with fewer than 2 or a mean of 0. */
  static Double coefficientOfVariation(List<TimeInterval> intervals) {
    int n = intervals.size();
    if (n < 2) {
      return null;
    }
    double sum = 0;
    for (TimeInterval interval : intervals) {
      sum += interval.getDuration();
    }
    double mean = sum / n;
    if (!(mean > 0)) {
      return null;
    }
    double squares = 0;
    for (TimeInterval interval : intervals) {
      double d = interval.getDuration() - mean;
      squares += d * d;
    }
    return Math.sqrt(squares / n) / mean;
  }

  /** Nearest-rank percentile of sorted values: the ceil(q/100 * n)-th smallest (1-based), at least the first. */
  static double percentile(double[] sorted, int q) {
    int rank = (q * sorted.length + 99) / 100; // ceil(q * n / 100) in integers
    return sorted[Math.max(1, rank) - 1];
  }
}
