package dev.chassis.openapi.internal;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaBuilder;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfig;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;

import dev.chassis.core.Json;

/**
 * The JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses) of the types one document names, with victools'
 * generator and its Jackson module, so that a schema says what Chassis' mapper writes and reads: records and
 * classes by their properties, {@code Optional} as its value, lists as arrays, enums as their values,
 * {@code java.time} types as strings with their format (a {@code Duration} as its seconds, as the mapper writes
 * it), maps as objects. Every object type becomes a
 * {@code #/components/schemas} entry that the operations reference. A type the generator can only describe as
 * "anything" ({@code Object}, {@code JsonNode}) is marked free-form. One instance per document; not thread-safe.
 * Not API.
 */
final class Schemas {
    static final String PATH = "components/schemas";
    private final SchemaGenerator generator;
    private final SchemaGenerator inliner;
    private final SchemaBuilder builder;

    Schemas() {
        this.generator = new SchemaGenerator(config(false));
        this.inliner = new SchemaGenerator(config(true));
        this.builder = generator.buildMultipleSchemaDefinitions();
    }

    /**
     * The schema of a path, query or header parameter's type, whole and inline (those are scalars, enums, and lists
     * of them), {@code Optional} removed: a parameter's absence is its {@code required: false}.
     */
    ObjectNode inline(Type type) {
        Type value = type instanceof ParameterizedType pt && pt.getRawType() == Optional.class
                ? pt.getActualTypeArguments()[0] : type;
        return inliner.generateSchema(value);
    }

    private static SchemaGeneratorConfig config(boolean inline) {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(Json.mapper(), SchemaVersion.DRAFT_2020_12,
                OptionPreset.PLAIN_JSON)
                .with(new JacksonModule(JacksonOption.RESPECT_JSONPROPERTY_REQUIRED,
                        JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE, JacksonOption.RESPECT_JSONPROPERTY_ORDER))
                .with(Option.PLAIN_DEFINITION_KEYS, Option.FLATTENED_OPTIONALS, Option.STANDARD_FORMATS,
                        Option.EXTRA_OPEN_API_FORMAT_VALUES, Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES)
                .with(inline ? Option.INLINE_ALL_SCHEMAS : Option.DEFINITIONS_FOR_ALL_OBJECTS)
                .without(Option.SCHEMA_VERSION_INDICATOR);
        if (Json.mapper().isEnabled(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)) {
            // the mapper writes a Duration as its seconds (32400.0), and reads those (or an ISO-8601 text)
            config.forTypesInGeneral().withCustomDefinitionProvider((type, context) -> type.getErasedType() == Duration.class
                    ? new CustomDefinition(context.getGeneratorConfig().createObjectNode().put("type", "number")
                            .put("description", "a duration in seconds"), true)
                    : null);
        }
        // Jackson writes a byte[] as Base64 text, not as an array of numbers
        config.forTypesInGeneral().withCustomDefinitionProvider((type, context) -> type.getErasedType() == byte[].class
                ? new CustomDefinition(context.getGeneratorConfig().createObjectNode().put("type", "string")
                        .put("contentEncoding", "base64"), true)
                : null);
        // Chassis writes every property it has and omits nulls: a primitive is always there, anything else may not be
        config.forFields().withRequiredCheck(field -> field.getType() != null && field.getType().isPrimitive());
        return config.build();
    }

    /**
     * The schema of {@code type}: a reference to its component for an object type, else inline. The node is
     * completed by {@link #components()}: read it only after.
     */
    ObjectNode of(Type type) {
        if (type == Object.class || type == JsonNode.class || type == ObjectNode.class) {
            ObjectNode any = Json.mapper().createObjectNode();
            any.put("description", "free-form: " + type.getTypeName() + " says nothing of its shape");
            return any;
        }
        return builder.createSchemaReference(type);
    }

    /** The component schemas of every type named so far; call once, after the last {@link #of}. */
    ObjectNode components() {
        return builder.collectDefinitions(PATH);
    }
}
