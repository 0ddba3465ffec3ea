package io.nightjar.jobs;

import io.nightjar.common.dataset.SnapshotDataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * Every project and dataset nightjar reads or publishes, by name: a dataset's days are
 * {@code <root>/<project>/<dataset>/<yyyy-MM-dd>/}. The tools take their default names from here, the demo its paths,
 * and a test checks every Oozie coordinator's {@code uri-template} against {@link #datasets()}, so a name is spelled
 * once. A tool's {@code --project} (and, where it has one, {@code --dataset}) still moves a run elsewhere.
 */
public final class Catalog {

  /** Project of the sensor readings and their daily figures. */
  public static final String SENSORS = "sensors";
  /** Project of the ad impression logs, the ad metadata and their join. */
  public static final String ADS = "ads";
  /** Project of the tracks' analysis documents (imported from S3), their snapshots and derived attributes. */
  public static final String TRACKS = "tracks";

  /** sensors: the day's readings, delivered upstream (CSV, gzipped CSV or Avro). */
  public static final String READINGS = "readings";
  /** sensors: per-sensor figures, one dataset a granularity: {@code sensor-averages-day}, {@code -hour}, {@code -minute}. */
  public static final String SENSOR_AVERAGES = "sensor-averages";

  /** ads: the day's impression log, delivered upstream. */
  public static final String IMPRESSIONS = "impressions";
  /** ads: the ad metadata snapshot, delivered upstream. */
  public static final String AD_METADATA = "ad-metadata";
  /** ads: impressions joined with their ad's metadata. */
  public static final String ENRICHED_IMPRESSIONS = "enriched-impressions";

  /** tracks: the metadata dump listing the track ids, delivered upstream. */
  public static final String METADATA_DUMP = "metadata-dump";
  /** tracks: the analysis documents, a snapshot dataset ({@code full/} and {@code incremental/}). */
  public static final String ANALYSIS = "analysis";
  /** tracks: attributes derived from the analysis, a full snapshot every day. */
  public static final String ATTRIBUTES = "attributes";
  /** tracks: one chunk of a bulk import, until promote-import makes the chunks the first full snapshot. */
  public static final String ANALYSIS_IMPORT = "analysis-import";
  /** tracks: the ids of a chunk without a document in S3. */
  public static final String ANALYSIS_IMPORT_MISSING = "analysis-import-missing";
  /** tracks: the ids of a chunk whose download failed, with the reason. */
  public static final String ANALYSIS_IMPORT_FAILED = "analysis-import-failed";

  private static final List<String> GRANULARITIES = List.of("day", "hour", "minute");

  private Catalog() {
  }

  /** The sensor figures' dataset name of {@code granularity} ({@code day}, {@code hour} or {@code minute}). */
  public static String sensorAverages(String granularity) {
    return SENSOR_AVERAGES + "-" + granularity;
  }

  /** The dataset of chunk {@code chunk} (from 0) of {@code chunks} of an import dataset. */
  public static String chunk(String importDataset, int chunk, int chunks) {
    return importDataset + "/" + chunkName(chunk, chunks);
  }

  /** {@code chunk-<chunk>-of-<chunks>}: where a bulk import's chunk keeps its data and lists. */
  public static String chunkName(int chunk, int chunks) {
    return "chunk-" + chunk + "-of-" + chunks;
  }

  /** The analysis snapshot dataset of {@code project} (normally {@link #TRACKS}). */
  public static SnapshotDataset analysis(Configuration conf, String project) throws IOException {
    return SnapshotDataset.of(conf, project, ANALYSIS);
  }

  /**
   * Every dataset's folder under the root, {@code <project>/<dataset>}; an import dataset as
   * {@code <project>/<dataset>/*} (a chunk's {@code chunk-<k>-of-<n>}, or {@code daily} for a daily import's lists).
   */
  public static List<String> datasets() {
    List<String> all = new ArrayList<>();
    all.add(SENSORS + "/" + READINGS);
    for (String granularity : GRANULARITIES) {
      all.add(SENSORS + "/" + sensorAverages(granularity));
    }
    for (String name : List.of(IMPRESSIONS, AD_METADATA, ENRICHED_IMPRESSIONS)) {
      all.add(ADS + "/" + name);
    }
    for (String name : List.of(METADATA_DUMP, ANALYSIS + "/full", ANALYSIS + "/incremental", ATTRIBUTES)) {
      all.add(TRACKS + "/" + name);
    }
    for (String name : List.of(ANALYSIS_IMPORT, ANALYSIS_IMPORT_MISSING, ANALYSIS_IMPORT_FAILED)) {
      all.add(TRACKS + "/" + name + "/*");
    }
    return all;
  }
}
