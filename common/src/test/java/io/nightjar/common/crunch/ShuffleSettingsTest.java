package io.nightjar.common.crunch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapred.JobConf;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ShuffleSettingsTest {

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void replacesHadoopsBuiltInDefaults() {
    JobConf conf = new JobConf(); // loads mapred-default.xml: mapreduce.task.io.sort.mb = 100
    assertEquals(100, conf.getInt(ShuffleSettings.SORT_MB, 0));
    assertFalse(ShuffleSettings.setOutsideDefaults(conf, ShuffleSettings.SORT_MB));

    ShuffleSettings.everyRecordShuffled(conf);

    assertEquals(256, conf.getInt(ShuffleSettings.SORT_MB, 0));
    assertEquals(64L << 20, conf.getLong(ShuffleSettings.BYTES_PER_REDUCE_TASK, 0));
    assertEquals(0.5f, conf.getFloat(ShuffleSettings.REDUCE_INPUT_BUFFER_PERCENT, 0), 0);
  }

  @Test
  public void batchesKeepHadoopsSortBuffer() {
    JobConf conf = new JobConf();

    ShuffleSettings.batchesShuffled(conf);

    assertEquals(100, conf.getInt(ShuffleSettings.SORT_MB, 0));
    assertEquals(64L << 20, conf.getLong(ShuffleSettings.BYTES_PER_REDUCE_TASK, 0));
    assertEquals(0.5f, conf.getFloat(ShuffleSettings.REDUCE_INPUT_BUFFER_PERCENT, 0), 0);
  }

  @Test
  public void keepsWhatAUserSet() {
    Configuration conf = new Configuration(); // a tool's configuration: plain until its job is built
    conf.setInt(ShuffleSettings.SORT_MB, 120);
    conf.setLong(ShuffleSettings.BYTES_PER_REDUCE_TASK, 1L << 30);
    conf.setFloat(ShuffleSettings.REDUCE_INPUT_BUFFER_PERCENT, 0.0f);
    assertTrue(ShuffleSettings.setOutsideDefaults(conf, ShuffleSettings.SORT_MB));

    ShuffleSettings.everyRecordShuffled(conf);

    assertEquals(120, conf.getInt(ShuffleSettings.SORT_MB, 0));
    assertEquals(1L << 30, conf.getLong(ShuffleSettings.BYTES_PER_REDUCE_TASK, 0));
    assertEquals(0.0f, conf.getFloat(ShuffleSettings.REDUCE_INPUT_BUFFER_PERCENT, 1), 0);
  }

  @Test
  public void keepsAValueGivenUnderItsDeprecatedName() {
    Configuration conf = new Configuration();
    conf.set("io.sort.mb", "50"); // -D io.sort.mb=50, before MapReduce's deprecations are registered

    ShuffleSettings.everyRecordShuffled(conf);

    assertEquals(50, new JobConf(conf).getInt(ShuffleSettings.SORT_MB, 0));
  }

  @Test
  public void keepsWhatTheClustersSiteFileSets() throws IOException {
    File site = tmp.newFolder("site");
    Files.write(new File(site, "mapred-site.xml").toPath(), ("<configuration><property><name>"
        + ShuffleSettings.SORT_MB + "</name><value>64</value></property></configuration>")
        .getBytes(StandardCharsets.UTF_8));
    Configuration conf = new Configuration();
    // the cluster's mapred-site.xml on the configuration's class path, as `hadoop jar` puts HADOOP_CONF_DIR there
    conf.setClassLoader(new URLClassLoader(new URL[] {site.toURI().toURL()}, getClass().getClassLoader()));

    ShuffleSettings.everyRecordShuffled(conf);

    assertEquals(64, new JobConf(conf).getInt(ShuffleSettings.SORT_MB, 0));
  }
}
