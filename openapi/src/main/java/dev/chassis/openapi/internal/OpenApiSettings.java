package dev.chassis.openapi.internal;

import java.net.URI;
import java.util.List;

import dev.chassis.core.config.Setting;

/** The configuration keys of the OpenAPI document ({@code openapi.*}). Not API. */
final class OpenApiSettings {
    static final Setting<List<URI>> SERVERS = Setting.uriList("openapi.servers")
            .describedAs("the URLs clients reach the service at (the gateway's, for instance), listed as the document's"
                    + " servers; none by default: clients then resolve paths against the URL they fetched the document from");
    static final Setting<String> DESCRIPTION = Setting.string("openapi.description", "")
            .describedAs("the document's info.description (CommonMark); empty for none");

    static final List<Setting<?>> ALL = List.of(SERVERS, DESCRIPTION);

    private OpenApiSettings() {
    }
}
