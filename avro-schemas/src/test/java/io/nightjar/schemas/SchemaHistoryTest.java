package io.nightjar.schemas;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.ImportFailure;
import io.nightjar.avro.Impression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.SensorReading;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.avro.TrackLocation;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.Test;

/**
 * Guards the contract with downstream readers: the current schema of every published record must read data written
 * with each earlier published version (kept under {@code src/main/avro/history/<Name>/}), and the current version
 * must itself be recorded there, so publishing a new version means adding it to the history.
 *
 * <p>A deliberate break starts a new major version: the schema declares {@code "nightjar.major": "N"} (no property
 * means 1), and the check applies within a major version. A declared break must be a real one (the previous major's
 * last version and the current one cannot read each other's data in at least one direction), so the property cannot
 * hide an ordinary change; docs/publishing.md says how readers move over.
 */
public class SchemaHistoryTest {

  private static final File HISTORY = new File("src/main/avro/history");

  private static final Schema[] PUBLISHED = {
      SensorReading.getClassSchema(), SensorAggregate.getClassSchema(), QuarantineRecord.getClassSchema(),
      Impression.getClassSchema(), AdMetadata.getClassSchema(), EnrichedImpression.getClassSchema(),
      TrackAnalysis.getClassSchema(), TrackAttributes.getClassSchema(), TrackLocation.getClassSchema(),
      ImportFailure.getClassSchema()};

  @Test
  public void currentSchemasReadEveryEarlierVersion() throws IOException {
    for (Schema current : PUBLISHED) {
      List<File> versions = versionsOf(current);
      assertFalse("no history kept for " + current.getName(), versions.isEmpty());
      for (File version : versions) {
        Schema writer = new Schema.Parser().parse(version);
        assertTrue(version + " has a greater major version than the current schema", major(writer) <= major(current));
        if (major(writer) < major(current)) {
          continue; // an earlier major version: read with its own schema (see aDeclaredBreakIsARealOne)
        }
        SchemaCompatibility.SchemaPairCompatibility result =
            SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
        assertEquals(current.getName() + " cannot read data written with " + version + ": " + result.getDescription(),
            SchemaCompatibilityType.COMPATIBLE, result.getType());
      }
    }
  }

  @Test
  public void currentSchemaIsRecordedInHistory() throws IOException {
    for (Schema current : PUBLISHED) {
      boolean recorded = false;
      Schema contract = new Schema.Parser().parse(new File("src/main/avro", current.getName() + ".avsc"));
      for (File version : versionsOf(current)) {
        recorded |= new Schema.Parser().parse(version).equals(contract);
      }
      assertTrue("the current " + current.getName() + " schema is not in " + HISTORY + "/" + current.getName()
          + "/: add it as the next vN.avsc when you publish it", recorded);
    }
  }

  @Test
  public void aDeclaredBreakIsARealOne() throws IOException {
    for (Schema current : PUBLISHED) {
      if (major(current) == 1) {
        continue;
      }
      Schema previous = null;
      for (File version : versionsOf(current)) {
        Schema schema = new Schema.Parser().parse(version);
        if (major(schema) == major(current) - 1) {
          previous = schema; // the last version of the previous major
        }
      }
      assertTrue(current.getName() + " declares major " + major(current) + " but its history has no major "
          + (major(current) - 1), previous != null);
      boolean newReadsOld = SchemaCompatibility.checkReaderWriterCompatibility(current, previous).getType()
          == SchemaCompatibilityType.COMPATIBLE;
      boolean oldReadsNew = SchemaCompatibility.checkReaderWriterCompatibility(previous, current).getType()
          == SchemaCompatibilityType.COMPATIBLE;
      assertFalse(current.getName() + " declares a new major version for a compatible change: drop the property",
          newReadsOld && oldReadsNew);
    }
  }

  static int major(Schema schema) {
    String major = schema.getProp("nightjar.major");
    return major == null ? 1 : Integer.parseInt(major);
  }

  @Test
  public void aReaderThatDropsADefaultlessFieldIsCaught() {
    // The check above must be able to fail: a new required field without a default cannot read old data.
    Schema old = SensorReading.getClassSchema();
    Schema incompatible = new Schema.Parser().parse(old.toString().replace(
        "\"fields\":[", "\"fields\":[{\"name\":\"unit\",\"type\":\"string\"},"));
    assertEquals(SchemaCompatibilityType.INCOMPATIBLE,
        SchemaCompatibility.checkReaderWriterCompatibility(incompatible, old).getType());
  }

  private static List<File> versionsOf(Schema schema) {
    File[] files = new File(HISTORY, schema.getName()).listFiles((dir, name) -> name.endsWith(".avsc"));
    List<File> versions = new ArrayList<>(files == null ? List.of() : Arrays.asList(files));
    versions.sort(null);
    return versions;
  }
}
