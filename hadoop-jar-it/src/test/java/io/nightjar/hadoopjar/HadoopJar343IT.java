package io.nightjar.hadoopjar;

import org.junit.BeforeClass;
import org.junit.Test;

/** The job jar as {@code hadoop jar} runs it on Hadoop 3.4.3 (ships Avro 1.11.4 and Guava 32.0.1). */
public class HadoopJar343IT extends HadoopJarCases {

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = SingleNodeHadoop.start("3.4.3");
  }

  @Test
  public void s3ImportFetchesFromS3WithCredentialsFromAProvider() throws Exception {
    checkS3Import();
  }
}
