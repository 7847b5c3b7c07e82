package org.migrationlab.migration.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON documents as plain Java values for tests: objects as ordered maps, integers as {@code Long}
 * (or {@code BigInteger} beyond a long), other numbers as {@code Double}. Lets a test compare whole
 * objects and read the order of their keys. Duplicate keys and trailing text are errors.
 */
public final class JsonObjects {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonObjects() {
    }

    /** A document whose top-level value is an object, its members in the order written. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String json) {
        return MAPPER.readValue(json, LinkedHashMap.class);
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
