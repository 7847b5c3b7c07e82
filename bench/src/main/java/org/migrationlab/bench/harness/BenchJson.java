package org.migrationlab.bench.harness;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * The harnesses' figures as JSON, through Jackson: one object on one line, {@code {"key": value, ...}},
 * keys in the order a record declares them or a map holds them, strings escaped, numbers as Java prints
 * them, and NaN or an infinity (a ratio of nothing) as {@code null}. Thread-safe.
 */
final class BenchJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .changeDefaultVisibility(visibility -> visibility.withVisibility(PropertyAccessor.ALL,
                    JsonAutoDetect.Visibility.NONE))
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .addModule(new SimpleModule("bench-numbers")
                    .addSerializer(Double.class, new NonFiniteAsNull())
                    .addSerializer(double.class, new NonFiniteAsNull()))
            .defaultPrettyPrinter(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEntrySpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator(""))
                    .withObjectIndenter(DefaultPrettyPrinter.NopIndenter.instance()))
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private BenchJson() {
    }

    /** {@code figures}, a record with {@code @JsonProperty} components or a map, as one line without its end. */
    static String line(Object figures) {
        try {
            return MAPPER.writeValueAsString(figures);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write " + figures + " as JSON", e);
        }
    }

    /** Finite doubles as Java prints them ({@code 3.0}, {@code 1.0E-4}); NaN and infinities as null. */
    private static final class NonFiniteAsNull extends StdSerializer<Double> {
        NonFiniteAsNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator json, SerializationContext context) {
            if (Double.isFinite(value)) {
                json.writeNumber(value);
            } else {
                json.writeNull();
            }
        }
    }
}
