package io.nightjar.workflows;

import static org.junit.Assert.assertEquals;

import io.nightjar.jobs.Catalog;
import java.io.File;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * Every dataset an Oozie coordinator waits for or publishes is one of {@link Catalog#datasets()}, spelled as the tools
 * spell it ({@code ${nightjarRoot}/<project>/<dataset>/${YEAR}-${MONTH}-${DAY}}), so a coordinator cannot wait for a
 * folder no tool writes.
 */
public class CatalogTest {

  private static final String ROOT = "${nightjarRoot}/";
  private static final String DAY = "/${YEAR}-${MONTH}-${DAY}";

  @Test
  public void everyCoordinatorDatasetIsInTheCatalog() throws Exception {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (OozieApp app : OozieApp.all(new File("."))) {
      for (Map.Entry<String, String> dataset : app.datasets().entrySet()) {
        String uri = dataset.getValue();
        String where = app.name + "/coordinator.xml dataset " + dataset.getKey() + " (" + uri + ")";
        if (!uri.startsWith(ROOT) || !uri.endsWith(DAY)) {
          problems.add(where + ": not <root>/<project>/<dataset>/<day>");
        } else if (!inCatalog(uri.substring(ROOT.length(), uri.length() - DAY.length()))) {
          problems.add(where + ": no such dataset in Catalog.datasets() " + Catalog.datasets());
        }
        checked++;
      }
    }
    assertEquals(String.join("\n", problems), List.of(), problems);
    assertEquals("datasets the coordinators name", 10, checked);
  }

  private static boolean inCatalog(String folder) {
    for (String dataset : Catalog.datasets()) {
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + dataset);
      if (matcher.matches(Paths.get(folder))) {
        return true;
      }
    }
    return false;
  }
}
