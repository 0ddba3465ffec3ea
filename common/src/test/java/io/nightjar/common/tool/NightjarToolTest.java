package io.nightjar.common.tool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import io.nightjar.common.avro.AvroWriters;
import java.util.LinkedHashMap;
import org.apache.crunch.impl.mr.run.RuntimeParameters;
import org.apache.hadoop.conf.Configuration;
import org.junit.Test;
import picocli.CommandLine.Command;

/** What every tool sets in its configuration before its run, unless the user set it: nightjar's defaults. */
public class NightjarToolTest {

  @Command(name = "probe")
  static final class Probe extends NightjarTool<NightjarTool.Plan> {
    @Override
    protected Plan plan() {
      return Plan.of(new LinkedHashMap<>());
    }

    @Override
    protected int execute(Plan plan) {
      return 0;
    }
  }

  @Test
  public void setsNightjarsDefaultsWhereTheUserSetNothing() throws Exception {
    Probe probe = new Probe();
    probe.setConf(new Configuration(false));
    assertEquals(0, probe.run(new String[0]));
    Configuration conf = probe.getConf();
    assertEquals(NightjarTool.DEFAULT_MAX_POLL_INTERVAL_MS, conf.getLong(NightjarTool.MAX_POLL_INTERVAL_KEY, -1));
    assertEquals(RuntimeParameters.DISABLE_DEEP_COPY, NightjarTool.DISABLE_DEEP_COPY_KEY);
    assertEquals("true", conf.get(RuntimeParameters.DISABLE_DEEP_COPY));
    assertEquals(AvroWriters.Specific.class.getName(), conf.get("crunch.specificfactory"));
    assertEquals(25, conf.getLong("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", -1));
    assertEquals(9, conf.getInt("dfs.client.block.write.locateFollowingBlock.retries", -1));
  }

  /** Local mode is tuned by whoever runs it (the test kit's LocalSpeed), not by the tools: Hadoop's file system. */
  @Test
  public void localModeGetsNoSettingsOfItsOwn() throws Exception {
    for (String framework : new String[] {"local", "yarn"}) {
      Probe probe = new Probe();
      Configuration conf = new Configuration(false);
      conf.set("mapreduce.framework.name", framework);
      probe.setConf(conf);
      assertEquals(0, probe.run(new String[0]));
      assertEquals(framework, NightjarTool.DEFAULT_MAX_POLL_INTERVAL_MS,
          probe.getConf().getLong(NightjarTool.MAX_POLL_INTERVAL_KEY, -1));
      assertNull(framework, probe.getConf().get(NightjarTool.PROGRESS_POLL_INTERVAL_KEY));
      assertNull(framework, probe.getConf().get("fs.file.impl"));
    }
  }

  @Test
  public void keepsWhatTheUserSet() throws Exception {
    Probe probe = new Probe();
    Configuration conf = new Configuration(false);
    conf.setLong(NightjarTool.MAX_POLL_INTERVAL_KEY, 5000);
    conf.setBoolean(RuntimeParameters.DISABLE_DEEP_COPY, false);
    conf.setInt("dfs.client.block.write.locateFollowingBlock.retries", 12);
    probe.setConf(conf);
    assertEquals(0, probe.run(new String[0]));
    assertEquals(5000, probe.getConf().getLong(NightjarTool.MAX_POLL_INTERVAL_KEY, -1));
    assertEquals("false", probe.getConf().get(RuntimeParameters.DISABLE_DEEP_COPY));
    // A site that set either of the two keeps both as it has them.
    assertEquals(12, probe.getConf().getInt("dfs.client.block.write.locateFollowingBlock.retries", -1));
    assertNull(probe.getConf().get("dfs.client.block.write.locateFollowingBlock.initial.delay.ms"));
  }
}
