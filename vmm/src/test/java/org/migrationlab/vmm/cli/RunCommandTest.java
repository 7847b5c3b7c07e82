package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.guest.reference.WssReference;
import org.migrationlab.migration.testing.JsonObjects;
import org.migrationlab.migration.testing.ReportKeys;
import org.migrationlab.vmm.render.HumanUnits;
import org.migrationlab.vmm.testing.CapturedRun;

/** {@code vmm run} on real guests, in process: the built-in kernel and the example user guest. */
@Timeout(120)
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void wssRunWritesJsonWithEveryKeyAndTheReferenceResult() throws IOException {
        Path json = dir.resolve("wss.json");
        CapturedRun run = CapturedRun.vmm("run", "--workload", "wss", "--memory", "64M", "--arg", "wss=4M",
                "--arg", "write-ratio=0.5", "--seed", "7", "--json", json.toString(), "--quiet");

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(run.err()).isEmpty();
        long expected = WssReference.result(7, Map.of("wss", "4M", "write-ratio", "0.5"));
        String text = Files.readString(json);
        for (String key : ReportKeys.RUN) {
            assertThat(text).as("top-level key %s", key).contains("\n  \"" + key + "\": ");
        }
        Map<String, Object> parsed = JsonObjects.parse(text);
        assertThat(JsonObjects.keys(parsed)).as("keys in order").isEqualTo(ReportKeys.RUN);
        assertThat(JsonObjects.keys(parsed.get("balloon"))).isEqualTo(ReportKeys.BALLOON);
        assertThat(JsonObjects.keys(parsed.get("progress"))).containsExactly("progress", "passes");
        assertThat(parsed).containsEntry("result-decimal", Long.toUnsignedString(expected)).containsEntry("crash", null)
                .containsEntry("error", null).containsEntry("instructions-per-second", null);
        assertThat(parsed.get("wall-time-ms")).isInstanceOf(Number.class);
        assertThat(parsed.get("virtual-time-ns")).isInstanceOf(Long.class);
        assertThat(text)
                .contains("\n  \"result\": \"" + HumanUnits.hex64(expected) + "\",")
                .contains("\n  \"status\": 0,")
                .contains("\n  \"outcome\": \"halted\",")
                .contains("\n  \"instructions\": null,")
                .contains("\n    \"progress\": 4096,") // 1024 pages x 4 passes
                .contains("\n    \"passes\": 4")
                .contains("\n    \"halt\": 1,")
                .containsPattern("\n  \"memory-hash\": \"[0-9a-f]{16}\",")
                .contains("wss: done passes 4");
        assertThat(run.out()).doesNotContain("wss: start") // --quiet: no console echo
                .contains("result           " + HumanUnits.hex64(expected) + " (" + Long.toUnsignedString(expected) + ")")
                .contains("instructions     not counted (use --count-instructions)");
    }

    @Test
    void selfBallooningOptionsReachTheGuestAndTheReportShowsTheBalloon() {
        String[] common = {"run", "-w", "churn", "-m", "32M", "-a", "size=8M", "-a", "phases=6", "--seed", "5",
            "--json", "-", "-q"};
        CapturedRun off = CapturedRun.vmm(common);
        String[] withDsb = java.util.Arrays.copyOf(common, common.length + 6);
        System.arraycopy(new String[] {"--dsb", "on", "--dsb-interval", "100us", "--dsb-reserve", "512K"}, 0, withDsb,
                common.length, 6);
        CapturedRun on = CapturedRun.vmm(withDsb);

        assertThat(on.exitCode()).as("stderr: %s", on.err()).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(off.exitCode()).as("stderr: %s", off.err()).isEqualTo(ExitCode.SUCCESS.code());
        Map<String, Object> onJson = JsonObjects.parse(on.out());
        Map<String, Object> offJson = JsonObjects.parse(off.out());
        assertThat(onJson.get("result")).as("DSB never changes a result").isEqualTo(offJson.get("result"));
        assertThat(onJson.get("args")).isEqualTo(new java.util.LinkedHashMap<>(Map.of("size", "8M", "phases", "6",
                "dsb", "on", "dsb-interval", "100us", "dsb-reserve", "524288")));
        @SuppressWarnings("unchecked")
        Map<String, Object> balloon = (Map<String, Object>) onJson.get("balloon");
        assertThat(balloon).containsEntry("dsb", "on").containsKeys("size-pages", "inflations", "deflations", "saved-pages");
        assertThat((Long) balloon.get("inflations")).isPositive();
        assertThat((Long) balloon.get("size-pages")).isPositive().isEqualTo(balloon.get("saved-pages"));
        @SuppressWarnings("unchecked")
        Map<String, Object> none = (Map<String, Object>) offJson.get("balloon");
        assertThat(none).containsEntry("dsb", "off").containsEntry("size-pages", 0L).containsEntry("inflations", 0L);
    }

    @Test
    void echoesTheConsoleAndCountsInstructionsOnRequest() {
        CapturedRun run = CapturedRun.vmm("run", "-w", "wss", "-m", "16M", "-a", "wss=256K", "--count-instructions");

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(run.out()).startsWith("wss: start pages 64")
                .containsPattern("instructions     [0-9,]+ \\([0-9.]+ [kMG]? ?instructions/s\\)");
    }

    @Test
    void sameSeedGivesTheSameResultAndMemoryHash() {
        String[] args = {"run", "-w", "wss", "-m", "16M", "-a", "wss=1M", "-a", "pattern=random", "--seed", "3",
            "--json", "-", "-q"};
        String first = CapturedRun.vmm(args).out();
        String second = CapturedRun.vmm(args).out();
        assertThat(line(first, "\"memory-hash\"")).isEqualTo(line(second, "\"memory-hash\""));
        assertThat(line(first, "\"result\"")).isEqualTo(line(second, "\"result\""))
                .contains(HumanUnits.hex64(WssReference.result(3, Map.of("wss", "1M", "pattern", "random"))));
    }

    @Test
    void unknownWorkloadIsAUsageErrorThatListsTheKnownOnes() {
        CapturedRun run = CapturedRun.vmm("run", "--workload", "nosuch", "--memory", "8M", "--quiet");
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.errLines()).singleElement().asString()
                .isEqualTo("vmm run: unknown workload 'nosuch'; known: wss incrementer quicksort kcompile kvstore stream probe churn");
    }

    @Test
    void guestFailureStatusGivesExitCodeOne() {
        CapturedRun run = CapturedRun.vmm("run", "-w", "wss", "-m", "8M", "-a", "pattern=zigzag");
        assertThat(run.exitCode()).isEqualTo(ExitCode.GUEST_FAILED.code());
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("vmm run: the guest halted with status 5: ").contains("pattern=zigzag");
        assertThat(run.out()).contains("pattern=zigzag is not seq, random or hotcold")
                .containsPattern("status +halted, status [1-9][0-9]* \\(failure\\)");
    }

    @Test
    void guestCrashGivesExitCodeOneAndNamesKindRipAndAddress() {
        CapturedRun run = CapturedRun.vmm("run", "-w", "probe", "-m", "8M", "-a", "read=0x10", "-q");
        assertThat(run.exitCode()).isEqualTo(ExitCode.GUEST_FAILED.code());
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("vmm run: guest crashed: NULL_PAGE: ")
                .containsPattern("RIP 0x[0-9a-f]+")
                .contains("address 0x10");
        assertThat(run.out()).contains("result           none");
    }

    @Test
    void bootsAUserImageFromAFile() throws IOException {
        Path hello = Files.write(dir.resolve("hello.elf"), GuestImages.load(GuestImages.HELLO_ELF));
        CapturedRun run = CapturedRun.vmm("run", "--image", hello.toString(), "--memory", "8M");
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(run.out()).startsWith("hello from a user guest\n")
                .contains("image            " + hello)
                .contains("result           0x000000000000002a (42)");
    }

    @Test
    void bootsAFlatUserImageOnlyWhenAskedTo() throws IOException {
        Path flat = Files.write(dir.resolve("hello.bin"), GuestImages.load(GuestImages.HELLO_FLAT));
        assertThat(CapturedRun.vmm("run", "--image", flat.toString(), "-m", "8M").exitCode())
                .isEqualTo(ExitCode.USAGE.code());
        CapturedRun run = CapturedRun.vmm("run", "--image", flat.toString(), "--format", "flat", "-m", "8M", "-q");
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(run.out()).contains("(42)");
    }

    @Test
    void jsonToStandardOutputKeepsStandardOutputPureJson() {
        CapturedRun run = CapturedRun.vmm("run", "-w", "wss", "-m", "8M", "-a", "wss=64K", "--json", "-");
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(run.out()).startsWith("{\n  \"workload\": \"wss\",").endsWith("\n}\n");
        assertThat(run.err()).contains("wss: start pages 16", "result           0x");
    }

    private static String line(String text, String key) {
        return text.lines().filter(l -> l.strip().startsWith(key)).findFirst().orElseThrow();
    }
}
