package dev.chassis.core.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {
    private static final long MIB = 1024L * 1024;

    @Test
    void aQuarterGigabyteHeapKeepsFourThousandPlaintextOrOneThousandTlsConnections() {
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, false, false)).isEqualTo(4096);
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, true, false)).isEqualTo(1024);
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, false, true)).isEqualTo(1024);
        assertThat(ConnectionBudget.defaultMaxConnections(256 * MIB, true, true)).isEqualTo(256);
    }

    @Test
    void theMeasuredCostOfTheConnectionsStaysWithinTheirShare() {
        // 25 KB and 102 KB a connection measured (ConnectionBudget's comment): the default's connections must fit
        long heap = 256 * MIB;
        assertThat(ConnectionBudget.defaultMaxConnections(heap, false, false) * 25_000L).isLessThan(heap / 2);
        assertThat(ConnectionBudget.defaultMaxConnections(heap, true, false) * 102_000L).isLessThan(heap / 2);
    }

    @Test
    void largeHeapsStopAtTenThousandAndTinyOnesKeepSixtyFour() {
        assertThat(ConnectionBudget.defaultMaxConnections(4096 * MIB, false, false)).isEqualTo(10_000);
        assertThat(ConnectionBudget.defaultMaxConnections(1024 * MIB, true, false)).isEqualTo(4096);
        assertThat(ConnectionBudget.defaultMaxConnections(8 * MIB, true, false)).isEqualTo(64);
        assertThat(ConnectionBudget.defaultMaxConnections(Long.MAX_VALUE, false, false)).isEqualTo(10_000);
    }
}
