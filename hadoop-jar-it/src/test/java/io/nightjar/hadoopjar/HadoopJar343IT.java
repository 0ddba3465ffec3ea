package io.nightjar.hadoopjar;

import java.time.LocalDate;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The job jar as {@code hadoop jar} runs it on Hadoop 3.4.3 (ships Avro 1.11.4 and Guava 32.0.1), with the tracks
 * chain for two days, a Saturday bulk import in two chunks and the Sunday compaction.
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
  public void sensorAveragesPublishesWhatLocalModeComputes() throws Exception {
    checkSensorAverages("sensors-crunch", List.of("sensors/sensor-averages-day/2016-05-01"), 24,
        "-D", "mapreduce.job.reduces=2", "--date", "2016-05-01");
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
