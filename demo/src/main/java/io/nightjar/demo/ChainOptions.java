package io.nightjar.demo;

import java.io.File;
import picocli.CommandLine.Option;

/**
 * What a run of the daily chain reads and runs: the testdata, the Oozie apps, the shipped job jar, the test kit's jar
 * (the generators) and Hadoop's jars.
 */
public final class ChainOptions {

  @Option(names = "--testdata", defaultValue = "testdata", description = "The testdata/ folder (default: ${DEFAULT-VALUE}).")
  File testdata;

  @Option(names = "--apps", defaultValue = "workflows",
      description = "The Oozie apps whose coordinators define the chain (default: ${DEFAULT-VALUE}).")
  File apps;

  @Option(names = "--job-jar", defaultValue = ShippedJar.DEFAULT_JOB_JAR,
      description = "The job jar the tools run from, as hadoop jar runs it (default: ${DEFAULT-VALUE}).")
  File jobJar;

  @Option(names = "--testkit-jar", defaultValue = ShippedJar.DEFAULT_TESTKIT_JAR,
      description = "The test kit's jar the generators run from, beside the job jar (default: ${DEFAULT-VALUE}).")
  File testKitJar;

  @Option(names = "--hadoop-jars", defaultValue = ShippedJar.DEFAULT_HADOOP_JARS,
      description = "A folder of an installed Hadoop's own jars, the classpath hadoop jar gives the job jar "
          + "(default: ${DEFAULT-VALUE}).")
  File hadoopJars;
}
