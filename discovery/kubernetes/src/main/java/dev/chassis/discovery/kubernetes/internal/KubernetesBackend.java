package dev.chassis.discovery.kubernetes.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.discovery.RegistryException;
import dev.chassis.discovery.ServiceInstance;
import dev.chassis.discovery.ServiceRegistry;
import dev.chassis.discovery.spi.BackendProvider;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * {@code discovery.backend: kubernetes}: a name's instances are the ready endpoints of the EndpointSlices of the
 * Service of that name ({@code kubernetes.io/service-name}), in the service's namespace, on the port named
 * {@code discovery.kubernetes.port-name} (else the slice's first port), called over https when that port is named
 * {@code https} or {@code grpcs} (or starts with {@code https-}) or its {@code appProtocol} is {@code https}; an
 * informer follows them. Kubernetes
 * registers pods itself (the Service's selector and the pod's readiness probe), so register and deregister do
 * nothing: {@code /health/ready} going DOWN on shutdown is what takes a pod out. Not API.
 */
public final class KubernetesBackend implements BackendProvider {
    private static final System.Logger LOG = System.getLogger(KubernetesBackend.class.getName());
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final Setting<String> MASTER = Setting.string("discovery.kubernetes.master-url", null)
            .describedAs("the API server; default: in the cluster, its service account; outside, ~/.kube/config");
    static final Setting<String> NAMESPACE = Setting.string("discovery.kubernetes.namespace", null)
            .describedAs("where the Services are; default: the pod's namespace");
    static final Setting<String> PORT_NAME = Setting.string("discovery.kubernetes.port-name", "http")
            .describedAs("the named port of the Services to call; a port named https or grpcs (or https-...), or with"
                    + " appProtocol https, is called over TLS");

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(MASTER, NAMESPACE, PORT_NAME);
    }

    @Override
    public ServiceRegistry open(ServiceInfo service, Config config) {
        ConfigBuilder c = new ConfigBuilder(io.fabric8.kubernetes.client.Config.autoConfigure(null)); // CHECKSTYLE:FQN-OK
        config.find(MASTER).ifPresent(url -> c.withMasterUrl(url).withTrustCerts(false));
        String namespace = config.find(NAMESPACE).orElseGet(() -> podNamespace().orElse(
                Objects.requireNonNullElse(c.getNamespace(), "default")));
        KubernetesClient client = new KubernetesClientBuilder().withConfig(c.withNamespace(namespace).build()).build();
        return new Registry(client, namespace, config.get(PORT_NAME));
    }

    private static Optional<String> podNamespace() {
        Path file = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
        try {
            return Files.isReadable(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One service's view of its namespace's EndpointSlices. */
    static final class Registry implements ServiceRegistry {
        private final KubernetesClient client;
        private final String namespace;
        private final String portName;
        private final Map<String, SharedIndexInformer<EndpointSlice>> informers = new ConcurrentHashMap<>();

        Registry(KubernetesClient client, String namespace, String portName) {
            this.client = client;
            this.namespace = namespace;
            this.portName = portName;
        }

        @Override
        public String backend() {
            return "kubernetes";
        }

        @Override
        public void register(ServiceInstance instance) {
            // Kubernetes lists a pod in its Service's EndpointSlices when its readiness probe passes
        }

        @Override
        public void deregister(ServiceInstance instance) {
        }

        @Override
        public List<ServiceInstance> instances(String name) {
            try {
                return instancesOf(name, client.discovery().v1().endpointSlices()
                        .inNamespace(namespace).withLabel(SERVICE_NAME_LABEL, name).list().getItems());
            } catch (KubernetesClientException e) {
                throw new RegistryException("the Kubernetes API cannot be reached to list " + name + ": "
                        + e.getMessage(), e);
            }
        }

        List<ServiceInstance> instancesOf(String name, List<EndpointSlice> slices) {
            List<ServiceInstance> out = new ArrayList<>();
            for (EndpointSlice slice : slices) {
                EndpointPort chosen = null;
                for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                    if (p.getPort() != null && (chosen == null || portName.equals(p.getName()))) {
                        chosen = p;
                    }
                }
                if (chosen == null) {
                    continue;
                }
                int port = chosen.getPort();
                String scheme = tls(chosen) ? "https" : "http";
                for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
                    boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                            || e.getConditions().getReady();
                    for (String address : e.getAddresses().stream().limit(1).toList()) { // one pod, one address
                        String id = e.getTargetRef() != null && e.getTargetRef().getName() != null
                                ? e.getTargetRef().getName() : address + ":" + port;
                        out.add(new ServiceInstance(id, name, address, port, List.of("http", "grpc"),
                                e.getZone() == null ? Map.of() : Map.of("zone", e.getZone()),
                                ready ? ServiceInstance.Health.UP : ServiceInstance.Health.DOWN, scheme));
                    }
                }
            }
            return List.copyOf(out);
        }

        /** Whether a Service port serves TLS: by its name ({@code https}, {@code grpcs}, {@code https-...}) or appProtocol. */
        static boolean tls(EndpointPort port) {
            String name = port.getName() == null ? "" : port.getName();
            return name.equals("https") || name.equals("grpcs") || name.startsWith("https-")
                    || "https".equalsIgnoreCase(port.getAppProtocol());
        }

        @Override
        public Watch watch(String name, Consumer<List<ServiceInstance>> listener) {
            List<Consumer<List<ServiceInstance>>> listeners = new CopyOnWriteArrayList<>(List.of(listener));
            SharedIndexInformer<EndpointSlice> informer = client.discovery().v1().endpointSlices().inNamespace(namespace)
                    .withLabel(SERVICE_NAME_LABEL, name).runnableInformer(0);
            Runnable changed = () -> {
                List<ServiceInstance> now = instancesOf(name, informer.getStore().list());
                listeners.forEach(l -> l.accept(now));
            };
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(EndpointSlice slice) {
                    changed.run();
                }

                @Override
                public void onUpdate(EndpointSlice before, EndpointSlice after) {
                    changed.run();
                }

                @Override
                public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                    changed.run();
                }
            });
            informer.stopped().whenComplete((v, e) -> {
                if (e != null) {
                    LOG.log(Level.WARNING, "discovery: the Kubernetes watch of " + name + " stopped: " + e);
                }
            });
            informer.start();
            String key = name + "#" + System.identityHashCode(listener);
            informers.put(key, informer);
            return () -> {
                listeners.clear();
                informers.remove(key);
                informer.close();
            };
        }

        @Override
        public boolean reachable() {
            for (SharedIndexInformer<EndpointSlice> i : informers.values()) {
                if (!i.isWatching()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() {
            informers.values().forEach(SharedIndexInformer::close);
            client.close();
        }
    }
}
