package org.migrationlab.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/bench dsb-overhead} once on tiny guests: for each workload and setting it prints the wall and
 * CPU time, the balloon's activity and the guest's instruction count; with DSB on the driver woke and ran
 * instructions a guest without it does not.
 */
@Timeout(120)
class DsbOverheadBenchSmokeTest {
    private static final Pattern SETTING = Pattern.compile(
            "  dsb (\\S+) +wall [0-9.]+ s \\([-+][0-9.]+ %, runs [0-9. ]+\\)  cpu [0-9.]+ s \\([-+][0-9.]+ %\\)\\n"
            + " +wakes (\\d+), inflations \\d+ \\(\\d+ pages\\), deflations \\d+ \\(\\d+ under pressure, \\d+ pages\\),"
            + " host time in the driver [0-9.]+ ms\\n"
            + " +guest instructions ([0-9,]+) \\([-+][0-9.]+ % against dsb off\\)");

    private record Setting(String name, long wakes, long instructions) {
    }

    @Test
    void eachWorkloadReportsEverySettingWithTheDriversWork() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DsbOverheadBench.run(1, BenchSize.SMOKE, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);

        String[] workloads = out.split("(?m)^(?=(wss|churn) \\()");
        assertThat(workloads).hasSize(3); // the heading, then wss and churn
        assertThat(workloads[1]).startsWith("wss (");
        assertThat(workloads[2]).startsWith("churn (");
        for (String workload : List.of(workloads[1], workloads[2])) {
            List<Setting> settings = new ArrayList<>();
            Matcher m = SETTING.matcher(workload);
            while (m.find()) {
                settings.add(new Setting(m.group(1), Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3).replace(",", ""))));
            }
            assertThat(settings).as(workload).hasSize(2);
            Setting off = settings.get(0);
            Setting on = settings.get(1);
            assertThat(off.name()).isEqualTo("off");
            assertThat(off.wakes()).as("dsb=off never calls the host: %s", workload).isZero();
            assertThat(on.wakes()).as("the driver woke: %s", workload).isPositive();
            assertThat(on.instructions()).as("the driver's own instructions: %s", workload)
                    .isGreaterThan(off.instructions());
        }
    }
}
