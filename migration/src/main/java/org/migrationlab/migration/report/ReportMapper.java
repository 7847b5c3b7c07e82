package org.migrationlab.migration.report;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * The one Jackson configuration of the reports, so that every report looks the same and stays as
 * scripts know it: only what the records annotate is JSON, in the order they declare it; two spaces
 * of indentation and {@code "key": value}; {@code {}} for an empty object; lower-case hex in escapes;
 * whole doubles without a fraction and NaN as null ({@link JsonNumbers}); DEL and U+2028/U+2029
 * escaped ({@link ReportEscapes}). Reading is strict: duplicate keys, trailing text, nesting deeper
 * than 64 and missing keys are errors, and numbers are never made up from strings or fractions.
 */
final class ReportMapper {
    private static final int MAX_DEPTH = 64;

    private ReportMapper() {
    }

    static JsonMapper create() {
        JsonFactory factory = JsonFactory.builder()
                .characterEscapes(new ReportEscapes())
                .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .build();
        SimpleModule numbers = new SimpleModule("report-numbers")
                .addSerializer(Double.class, new JsonNumbers.WholeOrFraction())
                .addSerializer(double.class, new JsonNumbers.WholeOrFraction())
                .addDeserializer(Double.class, new JsonNumbers.NullAsNaN())
                .addDeserializer(double.class, new JsonNumbers.NullAsNaN());
        return JsonMapper.builder(factory)
                .changeDefaultVisibility(visibility -> visibility.withVisibility(PropertyAccessor.ALL,
                        JsonAutoDetect.Visibility.NONE))
                .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, strings -> strings
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addModule(numbers)
                .defaultPrettyPrinter(prettyPrinter())
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultIndenter twoSpaces = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""))
                .withObjectIndenter(twoSpaces)
                .withArrayIndenter(twoSpaces);
    }
}
