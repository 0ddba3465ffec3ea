package io.nightjar.workflows;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.w3c.dom.ls.LSInput;
import org.w3c.dom.ls.LSResourceResolver;

/**
 * Checks every Oozie app under {@code workflows/} without a cluster: each XML file against Oozie 5.2.1's own XSDs
 * (from oozie-client), every transition names a node that exists, every {@code ${parameter}} a workflow uses is
 * declared or supplied by job.properties / the coordinator, and no properties file carries credentials.
 */
public class OozieAppsTest {

  private static final File APPS = new File(".");
  private static final Pattern EL_VARIABLE = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9_]*)\\}");

  @Test
  public void everyAppValidatesAgainstOozieSchemas() throws Exception {
    Schema schema = oozieSchema();
    List<File> checked = new ArrayList<>();
    for (File app : apps()) {
      for (String name : new String[] {"workflow.xml", "coordinator.xml"}) {
        File file = new File(app, name);
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
    for (File app : apps()) {
      Document workflow = parse(new File(app, "workflow.xml"));
      Set<String> nodes = new HashSet<>();
      for (String tag : new String[] {"action", "kill", "end", "decision", "fork", "join"}) {
        NodeList list = workflow.getElementsByTagNameNS("*", tag);
        for (int i = 0; i < list.getLength(); i++) {
          nodes.add(((Element) list.item(i)).getAttribute("name"));
        }
      }
      for (String tag : new String[] {"start", "ok", "error", "case", "default"}) {
        NodeList list = workflow.getElementsByTagNameNS("*", tag);
        for (int i = 0; i < list.getLength(); i++) {
          String target = ((Element) list.item(i)).getAttribute("to");
          assertTrue(app + ": transition to unknown node '" + target + "'", nodes.contains(target));
        }
      }
    }
  }

  @Test
  public void workflowParametersAreDeclaredOrSupplied() throws Exception {
    for (File app : apps()) {
      Document workflow = parse(new File(app, "workflow.xml"));
      Set<String> known = new HashSet<>();
      NodeList names = workflow.getElementsByTagNameNS("*", "name");
      for (int i = 0; i < names.getLength(); i++) {
        if (names.item(i).getParentNode().getParentNode().getLocalName().equals("parameters")) {
          known.add(names.item(i).getTextContent().trim());
        }
      }
      Properties job = new Properties();
      try (Reader reader = Files.newBufferedReader(new File(app, "job.properties").toPath())) {
        job.load(reader);
      }
      known.addAll(job.stringPropertyNames());
      Matcher used = EL_VARIABLE.matcher(new String(Files.readAllBytes(new File(app, "workflow.xml").toPath()),
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
    for (File app : apps()) {
      NodeList values = parse(new File(app, "workflow.xml")).getElementsByTagNameNS("*", "value");
      for (int i = 0; i < values.getLength(); i++) {
        Element value = (Element) values.item(i);
        if (value.getParentNode().getParentNode().getLocalName().equals("parameters")) {
          assertFalse(app + ": a parameter with an empty default", value.getTextContent().trim().isEmpty());
        }
      }
    }
  }

  @Test
  public void theBundleStartsEveryDailyCoordinator() throws Exception {
    Document bundle = parse(new File(APPS, "bundle.xml"));
    Set<String> started = new HashSet<>();
    NodeList paths = bundle.getElementsByTagNameNS("*", "app-path");
    for (int i = 0; i < paths.getLength(); i++) {
      started.add(paths.item(i).getTextContent().replaceAll("^\\$\\{appsRoot\\}/([^/]+)/coordinator.xml$", "$1"));
    }
    Set<String> coordinators = new HashSet<>();
    for (File app : apps()) {
      if (new File(app, "coordinator.xml").exists()) {
        coordinators.add(app.getName());
      }
    }
    assertEquals(coordinators, started);
  }

  @Test
  public void noCredentialsInJobProperties() throws Exception {
    Pattern secret = Pattern.compile("(?i)(secret|password|access\\.key|accesskey|token)\\s*=");
    for (File app : apps()) {
      String properties = new String(Files.readAllBytes(new File(app, "job.properties").toPath()),
          StandardCharsets.UTF_8);
      assertFalse(app + "/job.properties holds a credential", secret.matcher(properties).find());
    }
  }

  private static List<File> apps() {
    List<File> apps = new ArrayList<>();
    for (File dir : APPS.listFiles(File::isDirectory)) {
      if (new File(dir, "workflow.xml").exists()) {
        apps.add(dir);
      }
    }
    assertEquals("expected app folders under workflows/", true, !apps.isEmpty());
    return apps;
  }

  private static Document parse(File file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(file);
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
