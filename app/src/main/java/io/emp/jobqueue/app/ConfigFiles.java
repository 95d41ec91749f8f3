package io.emp.jobqueue.app;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.emp.jobqueue.core.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Config files read with errors a person can act on, and values addressed by JSON pointer in the merged tree. */
final class ConfigFiles {
  private ConfigFiles() {
  }

  /** A JSON object from {@code file}; bad JSON is one line naming the file, line and column. */
  static JsonObject read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    // Jackson (under Vert.x's JSON) knows where the text went wrong; Vert.x's message does not say
    JsonFactory factory = JsonFactory.builder().enable(com.fasterxml.jackson.core.StreamReadFeature
        .STRICT_DUPLICATE_DETECTION).build();
    try (JsonParser p = factory.createParser(text)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        throw new ConfigException(file + ": expected a JSON object ({...}) at the top level");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw new ConfigException(file + ":" + p.currentLocation().getLineNr() + ":"
            + p.currentLocation().getColumnNr() + ": invalid JSON: text after the closing }");
      }
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage().replaceAll("\\s*\\R\\s*", " ");
      int at = why.indexOf(" (start marker at");
      throw new ConfigException(file + ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr()
          + ": invalid JSON: " + (at > 0 ? why.substring(0, at) : why));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    return new JsonObject(text);
  }

  static boolean isSameFile(Path a, Path b) {
    try {
      return Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  static Object get(JsonObject root, String pointer) {
    String[] parts = pointer.substring(1).split("/");
    Object o = root;
    for (String p : parts) {
      if (!(o instanceof JsonObject j)) {
        return null;
      }
      o = j.getValue(p);
    }
    return o;
  }

  /**
   * Sets a value, creating the sections on the way. Values from the environment stay strings: the
   * section readers accept "8080" where a number is expected and name the key when it is not one.
   */
  static void put(JsonObject root, String pointer, Object value) {
    String[] parts = pointer.substring(1).split("/");
    JsonObject o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = o.getValue(parts[i]);
      if (next == null) {
        next = new JsonObject();
        o.put(parts[i], next);
      } else if (!(next instanceof JsonObject)) {
        throw new ConfigException(String.join(".", java.util.Arrays.copyOf(parts, i + 1))
            + ": expected an object, got " + io.vertx.core.json.Json.encode(next));
      }
      o = (JsonObject) next;
    }
    o.put(parts[parts.length - 1], value);
  }
}
