package io.nightjar.testkit.local;

import io.nightjar.common.crunch.MapReduceConfig;
import io.nightjar.common.tool.NightjarTool;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The local-mode speed settings the demo, the tests and the benchmarks apply to the tools they run in local mode;
 * nothing the job jar needs. {@link NioLocalFileSystem} as the {@code file://} file system (no {@code chmod} or
 * {@code ls} processes, checksums verified a buffer at a time), and both job status polls at
 * {@value #POLL_INTERVAL_MS} ms, where a poll is a method call into the job running in this process (Crunch's own cap
 * in local mode: 1 s; Hadoop's progress monitor: 1 s). Settings already made by a caller or a site file stay.
 */
public final class LocalSpeed {

  /** The poll interval in local mode. */
  public static final long POLL_INTERVAL_MS = 20;

  private LocalSpeed() {
  }

  /** The keys and values, in the order {@link #apply} sets them. */
  public static Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(NioLocalFileSystem.IMPL_KEY, NioLocalFileSystem.class.getName());
    settings.put(NightjarTool.MAX_POLL_INTERVAL_KEY, Long.toString(POLL_INTERVAL_MS));
    settings.put(NightjarTool.PROGRESS_POLL_INTERVAL_KEY, Long.toString(POLL_INTERVAL_MS));
    return settings;
  }

  /** Sets on {@code conf} each of {@link #settings()} nobody set beyond Hadoop's defaults; returns {@code conf}. */
  public static Configuration apply(Configuration conf) {
    settings().forEach((key, value) -> {
      if (!MapReduceConfig.setOutsideDefaults(conf, key)) {
        conf.set(key, value);
      }
    });
    return conf;
  }
}
