package io.nightjar.hadoopjar;

import java.time.LocalDate;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The job jar as {@code hadoop jar} runs it on Hadoop 3.4.3 (ships Avro 1.11.4 and Guava 32.0.1), with the tracks
 * chain for two days, a Saturday bulk import in two chunks and the Sunday compaction, sensor-averages' plain
 * MapReduce engine and {@code --dates}, and the default and auto join strategies.
 */
public class HadoopJar343IT extends HadoopJarCases {

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = SingleNodeHadoop.start("3.4.3");
  }

  /** Saturday: the bulk import's day, then Sunday (the daily import, compaction, attributes of the new full). */
  @Override
  protected LocalDate tracksBulkDay() {
    return LocalDate.parse("2016-05-07");
  }

  @Override
  protected int tracksDays() {
    return 2;
  }

  @Override
  protected int tracksBulkChunks() {
    return 2;
  }

  @Test
  public void sensorAveragesOnThePlainMapReduceEngine() throws Exception {
    checkSensorAverages("sensors-mapreduce", List.of("sensors/sensor-averages-day/2016-05-01"), 24,
        "--engine", "mapreduce", "--date", "2016-05-01");
  }

  /**
   * Two days from one read: the sample file holds a reading of 2016-04-30 besides 2016-05-01's. The file's damaged
   * lines carry no timestamp, so they are charged to the first day, which the default quarantine limit then refuses.
   */
  @Test
  public void sensorAveragesOfSeveralDaysFromOneRead() throws Exception {
    checkSensorAverages("sensors-dates", List.of("sensors/sensor-averages-day/2016-04-30",
        "sensors/sensor-averages-day/2016-05-01"), 25, "-D", "nightjar.quarantine.max-fraction=1",
        "--dates", "2016-04-30..2016-05-01",
        "--input", "{root}/sensors/readings/2016-05-01");
  }

  @Test
  public void defaultJoinPublishesWhatLocalModeComputes() throws Exception {
    checkImpressionsJoin("default");
  }

  @Test
  public void autoJoinPublishesWhatLocalModeComputes() throws Exception {
    checkImpressionsJoin("auto");
  }
}
