package org.migrationlab.migration.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.migrationlab.migration.report.JsonReader;

/**
 * JSON documents as plain Java values for tests: objects as ordered maps, integers as {@code Long},
 * other numbers as {@code Double}. Lets a test compare whole objects and read the order of their keys.
 */
public final class JsonObjects {
    private JsonObjects() {
    }

    /** A document whose top-level value is an object, its members in the order written. */
    public static Map<String, Object> parse(String json) {
        return JsonReader.parseObject(json);
    }

    /** The keys of an object in the order they were written. */
    public static List<String> keys(Object object) {
        if (!(object instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("not a JSON object: " + object);
        }
        List<String> keys = new ArrayList<>();
        map.keySet().forEach(key -> keys.add((String) key));
        return keys;
    }
}
