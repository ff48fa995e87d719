package dev.chassis.tests.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * {@code chassis-service-parent} has no parent, so that Chassis' own build settings stay out of users' projects;
 * it repeats the root POM's version and plugin versions instead. This test keeps the copies equal.
 */
class ServiceParentPomTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void repeatsTheRootPomsVersionAndPluginVersions() throws Exception {
        Document root = parse(ROOT.resolve("pom.xml"));
        Document parent = parse(ROOT.resolve("starters/service-parent/pom.xml"));
        String version = child(root.getDocumentElement(), "version");
        assertThat(child(parent.getDocumentElement(), "version")).isEqualTo(version);

        Map<String, String> rootProperties = properties(root);
        Map<String, String> parentProperties = properties(parent);
        assertThat(parentProperties).containsEntry("chassis.version", version);
        Map<String, String> pluginVersions = new LinkedHashMap<>();
        parentProperties.forEach((k, v) -> {
            if (k.endsWith("-plugin.version")) {
                pluginVersions.put(k, v);
            }
        });
        assertThat(pluginVersions).isNotEmpty();
        assertThat(rootProperties).containsAllEntriesOf(pluginVersions);
    }

    @Test
    void noParentSoThatChassisBuildSettingsStayOutOfUsersProjects() throws Exception {
        Document parent = parse(ROOT.resolve("starters/service-parent/pom.xml"));
        assertThat(parent.getElementsByTagName("parent").getLength()).isZero();
        assertThat(parent.getElementsByTagName("compilerArgs").getLength()).as("no -Werror for users").isZero();
    }

    private static Document parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static String child(Element element, String name) {
        NodeList nodes = element.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        throw new AssertionError("no <" + name + "> in <" + element.getTagName() + ">");
    }

    private static Map<String, String> properties(Document pom) {
        Map<String, String> properties = new LinkedHashMap<>();
        NodeList blocks = pom.getDocumentElement().getElementsByTagName("properties");
        Node block = blocks.item(0);
        NodeList nodes = block.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e) {
                properties.put(e.getTagName(), e.getTextContent().trim());
            }
        }
        return properties;
    }
}
