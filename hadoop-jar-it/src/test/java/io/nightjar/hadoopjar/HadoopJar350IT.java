package io.nightjar.hadoopjar;

import java.util.List;
import org.junit.BeforeClass;
import org.junit.Test;

/** The job jar as {@code hadoop jar} runs it on Hadoop 3.5.0 (ships Avro 1.11.5 and Guava 33.4.8). */
public class HadoopJar350IT extends HadoopJarCases {

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = SingleNodeHadoop.start("3.5.0");
  }

  @Test
  public void adaptiveJoinPublishesWhatLocalModeComputes() throws Exception {
    checkImpressionsJoin("adaptive");
  }

  @Test
  public void mapsideJoinPublishesWhatLocalModeComputes() throws Exception {
    checkImpressionsJoin("mapside");
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
}
