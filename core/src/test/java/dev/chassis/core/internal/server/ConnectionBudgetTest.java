package dev.chassis.core.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    @Test
    void aQuarterGigabyteHeapWithTheDefaultHeaderLimit() {
        // half of 256 MiB at 25 + 16 KiB a plaintext connection, 100 + 16 KiB a TLS one; an eighth for management
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, false, false, 16 * KIB)).isEqualTo(3196);
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, true, false, 16 * KIB)).isEqualTo(1129);
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, false, true, 16 * KIB)).isEqualTo(799);
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, true, true, 16 * KIB)).isEqualTo(282);
    }

    @Test
    void largerHeadersMeanFewerConnections() {
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, false, false, 1024 * KIB)).isEqualTo(124);
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, false, false, 1024 * KIB))
                .isLessThan(ConnectionBudget.defaultMaxConnections(256 * MIB, false, false, 16 * KIB));
    }

    @Test
    void largeHeapsStopAtTenThousandAndTinyOnesKeepSixtyFour() {
        assertThat(ConnectionBudget.defaultMaxConnections(4096 * MIB, false, false, 16 * KIB)).isEqualTo(10_000);
        assertThat(ConnectionBudget.defaultMaxConnections(1024 * MIB, true, false, 16 * KIB)).isEqualTo(4519);
        assertThat(ConnectionBudget.defaultMaxConnections(8 * MIB, true, false, 16 * KIB)).isEqualTo(64);
        assertThat(ConnectionBudget.defaultMaxConnections(Long.MAX_VALUE, false, false, 16 * KIB)).isEqualTo(10_000);
    }
}
