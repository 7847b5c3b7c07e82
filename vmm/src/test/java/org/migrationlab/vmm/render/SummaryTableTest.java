package org.migrationlab.vmm.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.progress.ProgressCounters;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.RunReport;

/** The run summary for people: results in hex and decimal, counters, what was not counted. */
class SummaryTableTest {

    private static RunReport report(GuestOutcome outcome, OptionalLong instructions) {
        Map<String, Long> exits = new LinkedHashMap<>();
        exits.put("page-fault", 3L);
        exits.put("halt", 1L);
        long[] counters = new long[16];
        counters[0] = 4096;
        counters[1] = 4;
        counters[7] = 11;
        return new RunReport("wss", "built-in kernel (kernel.elf)", 64L << 20, 1, Map.of("wss", "4M"), outcome,
                0x0123456789abcdefL, 2_000_000_000L, exits, 3, ProgressCounters.of(counters), 4_096_000,
                instructions, new BalloonSummary("on", 1_500, 3, 1, 0, 1_600, 100, 1_500), "line \"one\"\nline two\n");
    }

    @Test
    void tableSaysWhenInstructionsWereNotCountedAndShowsTheResultInHexAndDecimal() {
        String table = SummaryTable.render(report(new GuestOutcome.Halted(42, 0), OptionalLong.empty()));
        assertThat(table)
                .contains("result           0x000000000000002a (42)")
                .contains("status           halted, status 0 (success)")
                .contains("instructions     not counted (use --count-instructions)")
                .contains("progress         4,096 units (2.05 k units/s)")
                .contains("counter-7        11")
                .contains("exits            page-fault 3, halt 1")
                .contains("balloon          1,500 pages at the end (3 inflations, 1 deflations, 0 under pressure)");
    }
}
