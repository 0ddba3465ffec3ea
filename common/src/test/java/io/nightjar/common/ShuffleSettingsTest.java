package io.nightjar.common;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapred.JobConf;
import org.junit.Test;

public class ShuffleSettingsTest {

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
  public void keepsWhatAUserOrSiteFileSet() {
    Configuration conf = new JobConf();
    conf.setInt(ShuffleSettings.SORT_MB, 120);
    conf.setLong(ShuffleSettings.BYTES_PER_REDUCE_TASK, 1L << 30);
    conf.setFloat(ShuffleSettings.REDUCE_INPUT_BUFFER_PERCENT, 0.0f);
    assertTrue(ShuffleSettings.setOutsideDefaults(conf, ShuffleSettings.SORT_MB));

    ShuffleSettings.everyRecordShuffled(conf);

    assertEquals(120, conf.getInt(ShuffleSettings.SORT_MB, 0));
    assertEquals(1L << 30, conf.getLong(ShuffleSettings.BYTES_PER_REDUCE_TASK, 0));
    assertEquals(0.0f, conf.getFloat(ShuffleSettings.REDUCE_INPUT_BUFFER_PERCENT, 1), 0);
  }
}
