package dev.chassis.observability.internal;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;

/**
 * JVM metrics with the OpenTelemetry semantic-convention names: memory per pool, GC pauses, threads,
 * classes and CPU, read from the platform MXBeans when {@code /metrics} is collected (GC pauses from the
 * collectors' notifications). Not API.
 */
final class JvmMetrics implements AutoCloseable {
    private static final AttributeKey<String> MEMORY_TYPE = AttributeKey.stringKey("jvm.memory.type");
    private static final AttributeKey<String> MEMORY_POOL = AttributeKey.stringKey("jvm.memory.pool.name");
    private static final AttributeKey<String> GC_NAME = AttributeKey.stringKey("jvm.gc.name");
    private static final AttributeKey<String> GC_ACTION = AttributeKey.stringKey("jvm.gc.action");
    private static final AttributeKey<Boolean> DAEMON = AttributeKey.booleanKey("jvm.thread.daemon");

    private final List<Runnable> closers = new CopyOnWriteArrayList<>();
    private final Meter meter;
    private Thread registering; // guarded by this
    private volatile boolean closed;

    /**
     * Registers nothing yet: the first collection does ({@link #awaitRegistered()}, from {@code /metrics} and the
     * console), since nothing else reads these instruments (the SDK exports no metrics). The platform MXBeans and
     * their instruments load about 300 classes, which start-up and the first answers need not wait for; GC pauses are
     * counted from the first collection on.
     */
    JvmMetrics(Meter meter) {
        this.meter = meter;
    }

    /** Registers the instruments on a background thread, once; a no-op when already started or closed. */
    synchronized void start() {
        if (registering == null && !closed) {
            registering = Thread.ofPlatform().daemon().name("chassis-jvm-metrics").start(() -> register(meter));
        }
    }

    /** Starts the registration if nothing has, and waits (at most 5 s) for it: every collection holds the JVM's. */
    void awaitRegistered() {
        start();
        join();
    }

    private void join() {
        Thread t;
        synchronized (this) {
            t = registering;
        }
        if (t == null) {
            return;
        }
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void register(Meter meter) {
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
        memory(meter, pools, "jvm.memory.used", "Measure of memory used.", MemoryUsage::getUsed);
        memory(meter, pools, "jvm.memory.committed", "Measure of memory committed.", MemoryUsage::getCommitted);
        memory(meter, pools, "jvm.memory.limit", "Measure of max obtainable memory.", MemoryUsage::getMax);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        meter.upDownCounterBuilder("jvm.thread.count").setUnit("{thread}").setDescription("Number of executing platform threads.")
                .buildWithCallback(m -> {
                    int daemon = threads.getDaemonThreadCount();
                    m.record(daemon, Attributes.of(DAEMON, true));
                    m.record(threads.getThreadCount() - daemon, Attributes.of(DAEMON, false));
                });

        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        meter.upDownCounterBuilder("jvm.class.count").setUnit("{class}").setDescription("Number of classes currently loaded.")
                .buildWithCallback(m -> m.record(classes.getLoadedClassCount()));
        meter.counterBuilder("jvm.class.loaded").setUnit("{class}").setDescription("Number of classes loaded since JVM start.")
                .buildWithCallback(m -> m.record(classes.getTotalLoadedClassCount()));
        meter.counterBuilder("jvm.class.unloaded").setUnit("{class}")
                .setDescription("Number of classes unloaded since JVM start.")
                .buildWithCallback(m -> m.record(classes.getUnloadedClassCount()));

        meter.upDownCounterBuilder("jvm.cpu.count").setUnit("{cpu}")
                .setDescription("Number of processors available to the Java virtual machine.")
                .buildWithCallback(m -> m.record(Runtime.getRuntime().availableProcessors()));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            meter.counterBuilder("jvm.cpu.time").ofDoubles().setUnit("s")
                    .setDescription("CPU time used by the process as reported by the JVM.")
                    .buildWithCallback(m -> {
                        long nanos = os.getProcessCpuTime();
                        if (nanos >= 0) {
                            m.record(nanos / 1e9);
                        }
                    });
            meter.gaugeBuilder("jvm.cpu.recent_utilization").setUnit("1")
                    .setDescription("Recent CPU utilization for the process as reported by the JVM.")
                    .buildWithCallback(m -> {
                        double load = os.getProcessCpuLoad();
                        if (load >= 0) {
                            m.record(load);
                        }
                    });
        }

        DoubleHistogram gc = meter.histogramBuilder("jvm.gc.duration").setUnit("s")
                .setDescription("Duration of JVM garbage collection actions.")
                .setExplicitBucketBoundariesAdvice(List.of(0.01, 0.1, 1.0, 10.0)).build();
        NotificationListener listener = (Notification n, Object handback) -> {
            if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                gc.record(info.getGcInfo().getDuration() / 1e3,
                        Attributes.of(GC_NAME, info.getGcName(), GC_ACTION, info.getGcAction()));
            }
        };
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (bean instanceof NotificationEmitter emitter && !closed) {
                emitter.addNotificationListener(listener, null, null);
                closers.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (ListenerNotFoundException ignored) {
                        // already gone
                    }
                });
            }
        }
    }

    private static void memory(Meter meter, List<MemoryPoolMXBean> pools, String name, String description,
                               ToLongFunction<MemoryUsage> value) {
        meter.upDownCounterBuilder(name).setUnit("By").setDescription(description).buildWithCallback(m -> {
            for (MemoryPoolMXBean pool : pools) {
                MemoryUsage usage = pool.getUsage();
                if (usage == null) {
                    continue; // the pool is no longer valid
                }
                long v = value.applyAsLong(usage);
                if (v >= 0) {
                    m.record(v, Attributes.of(MEMORY_TYPE, pool.getType() == MemoryType.HEAP ? "heap" : "non_heap",
                            MEMORY_POOL, pool.getName()));
                }
            }
        });
    }

    /** Stops listening to the collectors (the instruments go with the meter provider). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        join();
        closers.forEach(Runnable::run);
    }
}
