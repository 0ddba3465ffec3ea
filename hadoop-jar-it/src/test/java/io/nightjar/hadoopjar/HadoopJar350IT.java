package io.nightjar.hadoopjar;

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
}
