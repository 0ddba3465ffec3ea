package io.nightjar.workflows;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.Test;
import org.w3c.dom.Element;
import org.w3c.dom.ls.LSInput;
import org.w3c.dom.ls.LSResourceResolver;

/**
 * Checks every Oozie app under {@code workflows/} without a cluster: each XML file against Oozie 5.2.1's own XSDs
 * (from oozie-client), every transition names a node that exists, every {@code ${parameter}} a workflow uses is
 * declared or supplied by job.properties / the coordinator, every java action passes only options its nightjar tool
 * declares and every option it requires ({@link ToolArguments}), and no properties file carries credentials.
 */
public class OozieAppsTest {

  private static final File APPS = new File(".");
  private static final Pattern EL_VARIABLE = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9_]*)\\}");

  @Test
  public void everyAppValidatesAgainstOozieSchemas() throws Exception {
    Schema schema = oozieSchema();
    List<File> checked = new ArrayList<>();
    for (OozieApp app : apps()) {
      for (String name : new String[] {"workflow.xml", "coordinator.xml"}) {
        File file = new File(app.folder, name);
        if (file.exists()) {
          schema.newValidator().validate(new StreamSource(file));
          checked.add(file);
        }
      }
    }
    schema.newValidator().validate(new StreamSource(new File(APPS, "bundle.xml")));
    assertFalse("no Oozie apps found", checked.isEmpty());
  }

  @Test
  public void transitionsPointAtExistingNodes() throws Exception {
    for (OozieApp app : apps()) {
      Set<String> nodes = new HashSet<>();
      for (String tag : new String[] {"action", "kill", "end", "decision", "fork", "join"}) {
        OozieApp.elements(app.workflow(), tag).forEach(node -> nodes.add(node.getAttribute("name")));
      }
      for (String tag : new String[] {"start", "ok", "error", "case", "default"}) {
        for (Element transition : OozieApp.elements(app.workflow(), tag)) {
          String target = transition.getAttribute("to");
          assertTrue(app + ": transition to unknown node '" + target + "'", nodes.contains(target));
        }
      }
    }
  }

  @Test
  public void workflowParametersAreDeclaredOrSupplied() throws Exception {
    for (OozieApp app : apps()) {
      Set<String> known = new HashSet<>(app.parameters().keySet());
      known.addAll(app.jobProperties().stringPropertyNames());
      Matcher used = EL_VARIABLE.matcher(new String(Files.readAllBytes(new File(app.folder, "workflow.xml").toPath()),
          StandardCharsets.UTF_8));
      while (used.find()) {
        assertTrue(app + ": ${" + used.group(1) + "} is neither a workflow parameter nor in job.properties",
            known.contains(used.group(1)));
      }
    }
  }

  @Test
  public void noParameterHasAnEmptyDefault() throws Exception {
    // Oozie reads <value></value> as no default at all: the workflow then fails with "variable [x] cannot be
    // resolved" when the action starts (DailyChainOozieIT met it); an empty property in job.properties does the
    // same. Optional empty values are read with ${wf:conf('x')}, which gives "" when x is undefined.
    for (OozieApp app : apps()) {
      app.parameters().forEach((name, value) ->
          assertFalse(app + ": parameter " + name + " has an empty default", "".equals(value)));
    }
  }

  @Test
  public void everyJavaActionPassesOnlyOptionsItsToolDeclares() throws Exception {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (OozieApp app : apps()) {
      for (OozieApp.JavaAction action : app.javaActions()) {
        assertEquals(app + "/" + action.name + " runs the job jar's entry point", OozieApp.NIGHTJAR_MAIN,
            action.mainClass);
        problems.addAll(ToolArguments.problems(app + "/" + action.name, action.args));
        checked++;
      }
    }
    assertTrue("no java actions found", checked > 0);
    assertEquals(String.join("\n", problems), List.of(), problems);
  }

  @Test
  public void toolArgumentsNameWhatIsWrong() {
    assertEquals(List.of("app/step: sensor-averages has no option --granularty"),
        ToolArguments.problems("app/step", List.of("sensor-averages", "--date", "${date}", "--granularty", "day")));
    assertEquals(List.of("app/step: impressions-join needs option --date"),
        ToolArguments.problems("app/step", List.of("impressions-join", "-D", "a=b", "--strategy=auto")));
    assertEquals(List.of("app/step: Hadoop option -D after sensor-averages's own options is not read as one"),
        ToolArguments.problems("app/step", List.of("sensor-averages", "--date", "${date}", "-D", "a=b")));
    assertEquals(List.of("app/step: runs unknown tool 'sensor-average'"),
        ToolArguments.problems("app/step", List.of("sensor-average")));
  }

  @Test
  public void theBundleStartsEveryDailyCoordinator() throws Exception {
    Set<String> started = new HashSet<>();
    for (Element path : OozieApp.elements(OozieApp.parse(new File(APPS, "bundle.xml")), "app-path")) {
      started.add(path.getTextContent().replaceAll("^\\$\\{appsRoot\\}/([^/]+)/coordinator.xml$", "$1"));
    }
    Set<String> coordinators = new HashSet<>();
    for (OozieApp app : apps()) {
      if (app.hasCoordinator()) {
        coordinators.add(app.name);
      }
    }
    assertEquals(coordinators, started);
  }

  @Test
  public void noCredentialsInJobProperties() throws Exception {
    Pattern secret = Pattern.compile("(?i)(secret|password|access\\.key|accesskey|token)\\s*=");
    for (OozieApp app : apps()) {
      String properties = new String(Files.readAllBytes(new File(app.folder, "job.properties").toPath()),
          StandardCharsets.UTF_8);
      assertFalse(app + "/job.properties holds a credential", secret.matcher(properties).find());
    }
  }

  private static List<OozieApp> apps() throws Exception {
    List<OozieApp> apps = OozieApp.all(APPS);
    assertFalse("expected app folders under workflows/", apps.isEmpty());
    return apps;
  }

  /** Oozie's workflow, coordinator and bundle XSDs in one schema; includes resolved from the oozie-client jar. */
  private static Schema oozieSchema() throws Exception {
    SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    factory.setResourceResolver(new ClasspathResolver(factory.getResourceResolver()));
    String[] xsds = {"oozie-workflow-1.0.xsd", "oozie-coordinator-0.5.xsd", "oozie-bundle-0.2.xsd",
        "oozie-sla-0.2.xsd"};
    StreamSource[] sources = new StreamSource[xsds.length];
    for (int i = 0; i < xsds.length; i++) {
      InputStream in = OozieAppsTest.class.getClassLoader().getResourceAsStream(xsds[i]);
      sources[i] = new StreamSource(in, xsds[i]);
    }
    return factory.newSchema(sources);
  }

  private static final class ClasspathResolver implements LSResourceResolver {
    private final LSResourceResolver fallback;

    ClasspathResolver(LSResourceResolver fallback) {
      this.fallback = fallback;
    }

    @Override
    public LSInput resolveResource(String type, String namespace, String publicId, String systemId, String base) {
      InputStream in = systemId == null ? null : OozieAppsTest.class.getClassLoader().getResourceAsStream(systemId);
      if (in == null) {
        return fallback == null ? null : fallback.resolveResource(type, namespace, publicId, systemId, base);
      }
      try {
        org.w3c.dom.ls.DOMImplementationLS ls = (org.w3c.dom.ls.DOMImplementationLS)
            org.w3c.dom.bootstrap.DOMImplementationRegistry.newInstance().getDOMImplementation("LS");
        LSInput input = ls.createLSInput();
        input.setByteStream(in);
        input.setSystemId(systemId);
        input.setPublicId(publicId);
        return input;
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
