package io.nightjar.jobs.sensors;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.jobs.Main;
import io.nightjar.jobs.Printed;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every entry of a readings folder is read or named as not read, with why: a subfolder and hidden files (before, a run
 * over {@code r.csv}, {@code sub/more.csv}, {@code _late.csv} and {@code .dot.csv} read only the first and said
 * nothing of the rest).
 */
public class InputNotReadTest {

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aSubfolderAndHiddenFilesAreNamed() throws IOException {
    File readings = tmp.newFolder("readings");
    write(new File(readings, "r.csv"));
    write(new File(readings, "sub/more.csv"));
    write(new File(readings, "_late.csv"));
    write(new File(readings, ".dot.csv"));
    write(new File(readings, "_SUCCESS"));

    Printed printed = Printed.by(() -> Main.run(new Configuration(), "sensor-averages", "--root",
        tmp.getRoot().getPath(), "--date", "2016-05-01", "--input", readings.getPath(), "--dry-run"));
    assertEquals(printed.toString(), 0, printed.status);
    String line = printed.out.lines().filter(l -> l.contains("input not read")).findFirst().orElse("");
    assertTrue(printed.toString(), line.contains("/sub/ (a folder inside the input: not read"));
    assertTrue(line, line.contains("/_late.csv (hidden: the name starts with '_')"));
    assertTrue(line, line.contains("/.dot.csv (hidden: the name starts with '.')"));
    assertEquals("the done flag is not named: " + line, -1, line.indexOf("_SUCCESS"));
    assertEquals(line, -1, line.indexOf("r.csv (")); // read
  }

  private static void write(File file) throws IOException {
    file.getParentFile().mkdirs();
    Files.writeString(file.toPath(), "s1,2016-05-01 00:00:00,1.0\n");
  }
}
