package io.nightjar.common.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON nightjar writes beside its data (manifests, skew reports, {@code status --json}, promotion accounting) and
 * reads back: maps, lists and arrays, strings, numbers, booleans and null, with Jackson 2's streaming API (no data
 * binding, so no bean is ever written by reflection). Pretty output is Jackson's default pretty printer, the layout
 * these files always had: {@code "key" : value} a line each, arrays on one line.
 */
public final class Json {

  private static final JsonFactory FACTORY = new JsonFactory();

  private Json() {
  }

  /** {@code value} on one line. */
  public static String compact(Object value) {
    return write(value, false);
  }

  /** {@code value} indented, a field a line. */
  public static String pretty(Object value) {
    return write(value, true);
  }

  /**
   * The first JSON value of {@code text}: objects as {@link LinkedHashMap}s in their order, arrays as
   * {@link ArrayList}s, integers as the smallest of Integer, Long and BigInteger that holds them, other numbers as
   * Double. What follows the first value is not read.
   */
  public static Object read(String text) throws IOException {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        throw new IOException("no JSON value");
      }
      return value(parser);
    }
  }

  /** {@link #read} of a JSON object; an {@link IOException} when the value is something else. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> readObject(String text) throws IOException {
    Object value = read(text);
    if (!(value instanceof Map)) {
      throw new IOException("not a JSON object");
    }
    return (Map<String, Object>) value;
  }

  private static Object value(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT:
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.put(name, value(parser));
        }
        return object;
      case START_ARRAY:
        List<Object> array = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(value(parser));
        }
        return array;
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return parser.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected " + parser.currentToken());
    }
  }

  private static String write(Object value, boolean pretty) {
    StringWriter text = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(text)) {
      if (pretty) {
        generator.useDefaultPrettyPrinter();
      }
      write(generator, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter
    }
    return text.toString();
  }

  private static void write(JsonGenerator out, Object value) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof CharSequence || value instanceof Character) {
      out.writeString(value.toString());
    } else if (value instanceof Boolean) {
      out.writeBoolean((Boolean) value);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      out.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double) {
      out.writeNumber((Double) value);
    } else if (value instanceof Float) {
      out.writeNumber((Float) value);
    } else if (value instanceof BigInteger) {
      out.writeNumber((BigInteger) value);
    } else if (value instanceof BigDecimal) {
      out.writeNumber((BigDecimal) value);
    } else if (value instanceof Enum) {
      out.writeString(((Enum<?>) value).name());
    } else if (value instanceof Map) {
      out.writeStartObject();
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        out.writeFieldName(String.valueOf(entry.getKey()));
        write(out, entry.getValue());
      }
      out.writeEndObject();
    } else if (value instanceof Iterable) {
      out.writeStartArray();
      for (Object element : (Iterable<?>) value) {
        write(out, element);
      }
      out.writeEndArray();
    } else if (value instanceof Object[]) {
      out.writeStartArray();
      for (Object element : (Object[]) value) {
        write(out, element);
      }
      out.writeEndArray();
    } else {
      throw new IllegalArgumentException("no JSON form for a " + value.getClass().getName());
    }
  }
}
