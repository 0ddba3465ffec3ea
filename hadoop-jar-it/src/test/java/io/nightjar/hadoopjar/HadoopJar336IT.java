package io.nightjar.hadoopjar;

import org.junit.BeforeClass;
import org.junit.Test;

/** The job jar as {@code hadoop jar} runs it on Hadoop 3.3.6 (ships Avro 1.7.7 and Guava 27.0). */
public class HadoopJar336IT extends HadoopJarCases {

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = SingleNodeHadoop.start("3.3.6");
  }

  @Test
  public void shardedJoinPublishesWhatLocalModeComputes() throws Exception {
    checkImpressionsJoin("sharded");
  }
}
