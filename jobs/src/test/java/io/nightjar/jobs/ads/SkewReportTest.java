package io.nightjar.jobs.ads;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.crunch.PipelineExecution;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.Tuple3;
import org.junit.Test;

/** The skew report picture is readable for one map task as for many reducers. */
public class SkewReportTest {

  @Test
  public void aOneTaskPictureHasRoomForItsTitleAndSummary() {
    String svg = report(List.of(Tuple3.of("map-00000", "", 20000L))).toSvg();
    assertTrue(svg, width(svg) >= 640);
    assertTrue(svg, svg.contains(">rows (impressions) per task</text>"));
    assertTrue(svg, svg.contains(">largest task</text>"));
  }

  @Test
  public void theMeanLabelSitsRightOfTheLastBar() {
    String svg = report(List.of(Tuple3.of("reduce-00000", "", 300L), Tuple3.of("reduce-00001", "", 100L))).toSvg();
    Matcher bar = Pattern.compile("<rect x=\"(\\d+)\" y=\"\\d+\" width=\"(\\d+)\" height=\"\\d+\" fill=\"#2e86c1\">")
        .matcher(svg);
    assertTrue(svg, bar.find());
    int lastBarRight = Integer.parseInt(bar.group(1)) + Integer.parseInt(bar.group(2));
    Matcher mean = Pattern.compile("<text x=\"(\\d+)\" y=\"\\d+\" fill=\"#27ae60\">mean</text>").matcher(svg);
    assertTrue(svg, mean.find());
    assertTrue(svg, Integer.parseInt(mean.group(1)) > lastBarRight);
    assertEquals("one red bar, the largest", 2, svg.split("#c0392b").length - 1); // the bar and the legend
  }

  private static SkewReport report(List<Tuple3<String, String, Long>> loads) {
    return SkewReport.of(List.of(new PipelineResult(List.of(), PipelineExecution.Status.SUCCEEDED)), loads, "mapside",
        "chosen with --strategy", "-", 0);
  }

  private static int width(String svg) {
    Matcher matcher = Pattern.compile("<svg [^>]*width=\"(\\d+)\"").matcher(svg);
    assertTrue(matcher.find());
    return Integer.parseInt(matcher.group(1));
  }
}
