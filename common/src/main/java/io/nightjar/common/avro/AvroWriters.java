package io.nightjar.common.avro;

import java.io.IOException;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.crunch.types.avro.AvroMode;
import org.apache.crunch.types.avro.ReaderWriterFactory;
import org.apache.hadoop.conf.Configuration;

/**
 * Avro writers for Crunch that write the bytes Avro 1.8's writers write, with less work in two places; readers are
 * Avro's.
 *
 * <ul>
 *   <li>The branch of a nullable union ({@code ["null", T]} or {@code [T, "null"]}) is picked by whether the value is
 *       null, instead of asking Avro's {@code GenericData.resolveUnion}, which names the value's type through a chain
 *       of {@code instanceof} checks and a lookup by name for every nullable field of every record. In a JFR profile
 *       of {@code impressions-join} (10,000,000 rows, local MapReduce) union resolution was 13% of all samples.</li>
 *   <li>A flat record (every field an int, long, float, double, boolean, string or array of floats, or a union of
 *       null and one of them, none with a logical type: an analysis document's segments and time intervals, sensor
 *       readings, joined impressions) is written field by field from a plan made once per schema, instead of Avro's
 *       per-value walk (look the field up, check for a logical type, switch on the type,
 *       iterate the array). Writing the packed analysis was 87% of an import task's own thread in a JFR profile
 *       (docs/sizing.md), most of it that walk over the segments' arrays.</li>
 * </ul>
 *
 * <p>Other unions and records are written as Avro writes them. {@link #configure} installs the factories through
 * Crunch's own hook ({@code crunch.specificfactory} and {@code crunch.genericfactory}, read by {@code AvroMode} for
 * the shuffle and for Avro outputs); every nightjar tool does, unless those keys are set already.
 */
public final class AvroWriters {

  private AvroWriters() {
  }

  /** Sets Crunch's specific and generic writer factories to these, where the configuration names none. */
  public static void configure(Configuration conf) {
    conf.setIfUnset("crunch.specificfactory", Specific.class.getName());
    conf.setIfUnset("crunch.genericfactory", Generic.class.getName());
  }

  /** The branch of a two-branch union with a null branch, or -1 for any other union. */
  static int nullableBranch(Schema union, Object datum) {
    int nullIndex = nullIndex(union);
    return nullIndex < 0 ? -1 : datum == null ? nullIndex : 1 - nullIndex;
  }

  /** The null branch (0 or 1) of a union of null and one other type, or -1 for any other union. */
  static int nullIndex(Schema union) {
    List<Schema> types = union.getTypes();
    if (types.size() != 2) {
      return -1;
    }
    if (types.get(0).getType() == Schema.Type.NULL) {
      return 0;
    }
    return types.get(1).getType() == Schema.Type.NULL ? 1 : -1;
  }

  /** A Crunch mode's own data and readers, with the writer below. */
  private abstract static class Factory implements ReaderWriterFactory {
    abstract AvroMode mode();

    @Override
    public GenericData getData() {
      return mode().getData();
    }

    @Override
    public <D> DatumReader<D> getReader(Schema schema) {
      return mode().getReader(schema);
    }
  }

  /** Crunch's specific mode with the writer below. */
  public static final class Specific extends Factory {
    @Override
    AvroMode mode() {
      return AvroMode.SPECIFIC;
    }

    @Override
    public <D> DatumWriter<D> getWriter(Schema schema) {
      return new SpecificWriter<>(schema, (SpecificData) getData());
    }
  }

  /** Crunch's generic mode with the writer below. */
  public static final class Generic extends Factory {
    @Override
    AvroMode mode() {
      return AvroMode.GENERIC;
    }

    @Override
    public <D> DatumWriter<D> getWriter(Schema schema) {
      return new GenericWriter<>(schema, getData());
    }
  }

  static final class SpecificWriter<D> extends SpecificDatumWriter<D> {
    private final FlatRecords flat = new FlatRecords(this::write);

    SpecificWriter(Schema schema, SpecificData data) {
      super(schema, data);
    }

    @Override
    protected int resolveUnion(Schema union, Object datum) {
      int branch = nullableBranch(union, datum);
      return branch >= 0 ? branch : super.resolveUnion(union, datum);
    }

    @Override
    protected void writeRecord(Schema schema, Object datum, Encoder out) throws IOException {
      if (!flat.write(schema, datum, out)) {
        super.writeRecord(schema, datum, out);
      }
    }
  }

  static final class GenericWriter<D> extends GenericDatumWriter<D> {
    private final FlatRecords flat = new FlatRecords(this::write);

    GenericWriter(Schema schema, GenericData data) {
      super(schema, data);
    }

    @Override
    protected int resolveUnion(Schema union, Object datum) {
      int branch = nullableBranch(union, datum);
      return branch >= 0 ? branch : super.resolveUnion(union, datum);
    }

    @Override
    protected void writeRecord(Schema schema, Object datum, Encoder out) throws IOException {
      if (!flat.write(schema, datum, out)) {
        super.writeRecord(schema, datum, out);
      }
    }
  }

  /** Avro's own write of one value of a schema: what a flat record's plan hands an unusual value to. */
  @FunctionalInterface
  interface ValueWriter {
    void write(Schema schema, Object datum, Encoder out) throws IOException;
  }

  /** The plans of one writer's flat records, by schema (one writer, one thread). */
  static final class FlatRecords {
    private static final byte INT = 0;
    private static final byte LONG = 1;
    private static final byte FLOAT = 2;
    private static final byte DOUBLE = 3;
    private static final byte BOOLEAN = 4;
    private static final byte FLOATS = 5;
    private static final byte STRING = 6;
    /** Added to a kind: a union of null (branch 0) and that kind (branch 1). */
    private static final byte NULL_FIRST = 16;
    /** Added to a kind: a union of that kind (branch 0) and null (branch 1). */
    private static final byte NULL_SECOND = 32;
    /** A record that is not flat. */
    private static final byte[] NOT_FLAT = new byte[0];

    private final Map<Schema, byte[]> plans = new IdentityHashMap<>();
    private final ValueWriter avro;

    /** {@code avro}: the writer's own write, for a string field's value that is not a {@code CharSequence}. */
    FlatRecords(ValueWriter avro) {
      this.avro = avro;
    }

    /** How each field of {@code record} is written, in field order, or {@link #NOT_FLAT}. */
    static byte[] plan(Schema record) {
      List<Schema.Field> fields = record.getFields();
      byte[] kinds = new byte[fields.size()];
      for (int i = 0; i < kinds.length; i++) {
        if (fields.get(i).pos() != i) {
          return NOT_FLAT;
        }
        Schema type = fields.get(i).schema();
        byte nullable = 0;
        if (type.getType() == Schema.Type.UNION) {
          int nullIndex = nullIndex(type);
          if (nullIndex < 0) {
            return NOT_FLAT;
          }
          nullable = nullIndex == 0 ? NULL_FIRST : NULL_SECOND;
          type = type.getTypes().get(1 - nullIndex);
        }
        if (type.getLogicalType() != null) {
          return NOT_FLAT;
        }
        switch (type.getType()) {
          case INT: kinds[i] = INT; break;
          case LONG: kinds[i] = LONG; break;
          case FLOAT: kinds[i] = FLOAT; break;
          case DOUBLE: kinds[i] = DOUBLE; break;
          case BOOLEAN: kinds[i] = BOOLEAN; break;
          case STRING: kinds[i] = STRING; break;
          case ARRAY:
            Schema element = type.getElementType();
            if (element.getType() != Schema.Type.FLOAT || element.getLogicalType() != null) {
              return NOT_FLAT;
            }
            kinds[i] = FLOATS;
            break;
          default:
            return NOT_FLAT;
        }
        kinds[i] += nullable;
      }
      return kinds;
    }

    /** Writes {@code datum} if its record is flat (true), as Avro's writers would; else writes nothing (false). */
    boolean write(Schema schema, Object datum, Encoder out) throws IOException {
      if (!(datum instanceof IndexedRecord)) {
        return false;
      }
      byte[] kinds = plans.computeIfAbsent(schema, FlatRecords::plan);
      if (kinds == NOT_FLAT) {
        return false;
      }
      IndexedRecord record = (IndexedRecord) datum;
      for (int i = 0; i < kinds.length; i++) {
        Object value = record.get(i);
        int kind = kinds[i];
        if (kind >= NULL_FIRST) {
          boolean nullFirst = kind < NULL_SECOND;
          kind %= NULL_FIRST;
          if (value == null) {
            out.writeIndex(nullFirst ? 0 : 1);
            out.writeNull();
            continue;
          }
          out.writeIndex(nullFirst ? 1 : 0);
        } else if (value == null) {
          throw new NullPointerException("null of " + schema.getFields().get(i).schema().getType() + " in field "
              + schema.getFields().get(i).name() + " of " + schema.getFullName());
        }
        switch (kind) {
          case INT: out.writeInt(((Number) value).intValue()); break;
          case LONG: out.writeLong((Long) value); break;
          case FLOAT: out.writeFloat((Float) value); break;
          case DOUBLE: out.writeDouble((Double) value); break;
          case BOOLEAN: out.writeBoolean((Boolean) value); break;
          case STRING:
            if (value instanceof CharSequence) {
              out.writeString((CharSequence) value);
            } else { // e.g. a specific record's stringable field: Avro's own writer converts it
              Schema type = schema.getFields().get(i).schema();
              avro.write(kinds[i] >= NULL_FIRST ? type.getTypes().get(1 - nullIndex(type)) : type, value, out);
            }
            break;
          default: writeFloats((Collection<?>) value, out);
        }
      }
      return true;
    }

    private static void writeFloats(Collection<?> values, Encoder out) throws IOException {
      int size = values.size();
      out.writeArrayStart();
      out.setItemCount(size);
      if (values instanceof List && values instanceof RandomAccess) { // by index: an iterator loop wrote slower
        List<?> list = (List<?>) values;
        for (int i = 0; i < size; i++) {
          out.startItem();
          out.writeFloat((Float) list.get(i));
        }
      } else {
        int written = 0;
        for (Object value : values) {
          out.startItem();
          out.writeFloat((Float) value);
          written++;
        }
        if (written != size) {
          throw new ConcurrentModificationException("Size of array written was " + size
              + ", but number of elements written was " + written + ". ");
        }
      }
      out.writeArrayEnd();
    }
  }
}
