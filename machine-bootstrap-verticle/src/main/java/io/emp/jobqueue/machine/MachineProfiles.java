package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads profiles from a directory of {@code <name>.json} files. A profile may name a parent with
 * {@code "extends"}: objects are merged key by key, everything else (arrays included) is replaced by
 * the child. Blocking file I/O: call from a worker thread.
 */
public final class MachineProfiles {
  public static final int MAX_EXTENDS_DEPTH = 8;

  private MachineProfiles() {
  }

  public static MachineProfile load(Path dir, String name) {
    // The file name is the profile's identity, whatever its parent calls itself.
    return MachineProfile.fromJson(resolve(dir, name, new ArrayList<>()).put("name", name));
  }

  static JsonObject resolve(Path dir, String name, List<String> chain) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,99}") || chain.contains(name)
        || chain.size() >= MAX_EXTENDS_DEPTH) {
      throw invalid("extends", "profile '" + name + "' is not a valid profile name or its extends chain loops: "
          + chain);
    }
    chain.add(name);
    JsonObject own;
    try {
      own = new JsonObject(Files.readString(dir.resolve(name + ".json"), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw invalid("profile", "profile '" + name + "' not found in " + dir);
    } catch (IOException e) {
      throw invalid("profile", "profile '" + name + "' cannot be read: " + e.getMessage());
    } catch (DecodeException e) {
      throw invalid("profile", "profile '" + name + "' is not valid JSON: " + e.getMessage());
    }
    Object parent = own.getValue("extends");
    if (parent == null) {
      return own;
    }
    if (!(parent instanceof String p)) {
      throw invalid("extends", "profile '" + name + "': extends must be a profile name");
    }
    JsonObject merged = merge(resolve(dir, p, chain), own);
    merged.remove("extends");
    return merged;
  }

  static JsonObject merge(JsonObject base, JsonObject over) {
    JsonObject out = base.copy();
    over.forEach(e -> {
      if (e.getValue() instanceof JsonObject o && out.getValue(e.getKey()) instanceof JsonObject b) {
        out.put(e.getKey(), merge(b, o));
      } else {
        out.put(e.getKey(), e.getValue());
      }
    });
    return out;
  }

  private static ValidationException invalid(String field, String msg) {
    return new ValidationException(List.of(new Problem(field, "invalid", msg)));
  }
}
