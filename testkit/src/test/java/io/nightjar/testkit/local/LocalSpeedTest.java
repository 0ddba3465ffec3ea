package io.nightjar.testkit.local;

import static org.junit.Assert.assertEquals;

import io.nightjar.common.tool.NightjarTool;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.junit.Test;

/** What the demo, the tests and the benchmarks set for local mode, and what they leave as a caller set it. */
public class LocalSpeedTest {

  @Test
  public void setsTheFileSystemAndBothPolls() {
    Configuration conf = LocalSpeed.apply(new Configuration());
    assertEquals(NioLocalFileSystem.class.getName(), conf.get(NioLocalFileSystem.IMPL_KEY));
    assertEquals(LocalSpeed.POLL_INTERVAL_MS, conf.getLong(NightjarTool.MAX_POLL_INTERVAL_KEY, -1));
    // Hadoop's mapred-default.xml sets this one (1 s): a default is replaced.
    assertEquals(LocalSpeed.POLL_INTERVAL_MS, conf.getLong(NightjarTool.PROGRESS_POLL_INTERVAL_KEY, -1));
  }

  @Test
  public void keepsWhatTheCallerSet() {
    Configuration conf = new Configuration();
    conf.set(NioLocalFileSystem.IMPL_KEY, LocalFileSystem.class.getName());
    conf.setLong(NightjarTool.PROGRESS_POLL_INTERVAL_KEY, 3000);
    LocalSpeed.apply(conf);
    assertEquals(LocalFileSystem.class.getName(), conf.get(NioLocalFileSystem.IMPL_KEY));
    assertEquals(3000, conf.getLong(NightjarTool.PROGRESS_POLL_INTERVAL_KEY, -1));
    assertEquals(LocalSpeed.POLL_INTERVAL_MS, conf.getLong(NightjarTool.MAX_POLL_INTERVAL_KEY, -1));
  }
}
