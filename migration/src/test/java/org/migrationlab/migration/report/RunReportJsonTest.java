package org.migrationlab.migration.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.progress.ProgressCounters;

/** The run report's JSON: every key, exact results, null where nothing is known. */
class RunReportJsonTest {

    /** A run of the wss guest that ended as {@code outcome}. */
    static RunReport report(GuestOutcome outcome, OptionalLong instructions) {
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
    void haltedRunHasEveryKeyWithExactResultAndNullInstructionsWhenNotCounted() {
        String json = ReportJson.render(report(new GuestOutcome.Halted(0xfedcba9876543210L, 0), OptionalLong.empty()));
        assertThat(json)
                .contains("\n  \"workload\": \"wss\",")
                .contains("\n  \"status\": 0,")
                .contains("\n  \"result\": \"0xfedcba9876543210\",")
                .contains("\n  \"result-decimal\": \"" + Long.toUnsignedString(0xfedcba9876543210L) + "\",")
                .contains("\n  \"memory-hash\": \"0123456789abcdef\",")
                .contains("\n  \"wall-time-ms\": 2000,")
                .contains("\n  \"exits\": {\n    \"page-fault\": 3,\n    \"halt\": 1\n  },")
                .contains("\n  \"page-faults\": 3,")
                .contains("\n  \"progress\": {\n    \"progress\": 4096,\n    \"passes\": 4,\n    \"counter-7\": 11\n  },")
                .contains("\n  \"progress-rate\": 2048,")
                .contains("\n  \"virtual-time-ns\": 4096000,")
                .contains("\n  \"instructions\": null,")
                .contains("\n  \"crash\": null,")
                .contains("\n  \"balloon\": {\n    \"dsb\": \"on\",\n    \"size-pages\": 1500,\n    \"inflations\": 3,\n"
                        + "    \"deflations\": 1,\n    \"pressure-deflations\": 0,\n    \"pages-returned\": 1600,\n"
                        + "    \"pages-reclaimed\": 100,\n    \"saved-pages\": 1500\n  },")
                .contains("\n  \"console\": \"line \\\"one\\\"\\nline two\\n\"\n}\n");
    }

    @Test
    void crashedRunHasNullResultAndStatusAndDescribesTheCrash() {
        GuestOutcome crash = new GuestOutcome.Crashed("NULL_PAGE", 0x1029c2, 0x10, "access to the null page at RIP 0x1029c2");
        String json = ReportJson.render(report(crash, OptionalLong.of(1_000_000)));
        assertThat(json)
                .contains("\n  \"outcome\": \"crashed\",")
                .contains("\n  \"status\": null,")
                .contains("\n  \"result\": null,")
                .contains("\"kind\": \"NULL_PAGE\"")
                .contains("\"rip\": \"0x00000000001029c2\"")
                .contains("\"address\": \"0x0000000000000010\"")
                .contains("\n  \"instructions\": 1000000,")
                .contains("\n  \"instructions-per-second\": 500000,");
    }
}
