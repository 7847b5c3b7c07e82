package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.migration.testing.JsonObjects;
import org.migrationlab.vmm.testing.RunningVmm;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live view in a real browser: Debian's headless chromium, driven through chromedriver, opens the page
 * a {@code vmm demo --web} serves and follows a post-copy migration to its end; the cells of the page map,
 * counted by colour, move while it runs and end equal to the report's pages by kind. A failed migration
 * shows its reason on the page. Skips, saying why, only where chromium or chromedriver is not installed.
 */
@Tag("serial") // run alone: a browser and two processes: on a loaded machine the page's updates lag its waits
@Timeout(150)
class LiveViewBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Pattern SERVING = Pattern.compile("live view at (http://\\S+)");

    private static ChromeDriver browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM), "no browser test: " + CHROMIUM + " is missing (Debian package"
                + " chromium)");
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "no browser test: " + CHROMEDRIVER + " is missing (Debian"
                + " package chromium-driver)");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,1200", "--no-first-run", "--disable-extensions");
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    /**
     * One demo, hybrid, in step mode: the migration waits before round 0 until a click lets exactly one round
     * through, then before each post-copy batch until a click lets one batch through; run lets it finish.
     * Meanwhile the map's cells, counted by colour, move tick by tick, and they end equal to the report's
     * pages by kind (round 0's less the pages sent again after the switch-over); the guest still ends as the
     * unmigrated run did (the demo's oracle). One demo for all of it keeps the test short.
     */
    @Test
    void stepModeAdvancesOneStepPerClickAndTheMapEndsOnTheReportsCounts() throws Exception {
        int port = freePort();
        Path json = dir.resolve("demo.json");
        Path output = dir.resolve("demo.txt");
        List<String> command = new ArrayList<>(ChildProcesses.javaCommand());
        command.addAll(List.of("demo", "--memory", "64M", "--arg", "wss=4M", "--arg", "pattern=seq",
                "--arg", "passes=12000", "--mode", "hybrid", "--bandwidth", "100mbit", "--latency", "2ms", "--no-warm-up",
                "--timeout", "90s", "--json", json.toString(), "--web", Integer.toString(port), "--step"));
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        demo.getOutputStream().close();
        try {
            String url = "http://127.0.0.1:" + port + "/";
            awaitServing(url, demo, output);
            browser.get(url);
            awaitHeldAt("precopy-round", 0);
            long before = number("return window.liveView.kindCounts()['not-sent'] || 0");
            assertThat(before).as("nothing sent while held").isEqualTo(16_384);

            // One guest slice: the parked guest runs one slice and parks again; the migration stays held.
            browser.findElement(By.id("stepSlice")).click();
            new WebDriverWait(browser, java.time.Duration.ofSeconds(60)).until(d -> number(
                    "return window.liveView.stepping.slices") == 1);
            assertThat(number("return window.liveView.stepping.passed")).as("a slice passes no step").isZero();
            assertThat(browser.findElement(By.id("held")).getText()).contains("guest slices: 1 of 64 units");

            // The guest runs while the stepped round copies it: the round is short (100 Mbit/s) and the guest long
            // (12,000 passes), so it is still running at the switch-over. Held before post-copy's first batch, the
            // destination's guest runs and fetches what it touches by network faults: 2 ms each way make its
            // 1,000-odd pages take seconds, so pages are left for the batch this test steps (without them, a
            // loaded machine's slow clicks left it nothing to send).
            browser.findElement(By.id("stepRound")).click();
            awaitHeldAt(null, 1); // before a batch, or before the push takes a network fault as its pivot
            // The destination's map, from the daemon's own view: round 0's pages are there, copied before the switch-over.
            awaitDestination("return (window.liveView.destination && window.liveView.destination.kindCounts()"
                    + ".precopied || 0) > 0");
            assertThat(number("return window.liveView.destination.map.pages")).isEqualTo(16_384);
            assertDaemonsOwnPage(output);
            Thread.sleep(300);
            assertThat(number("return window.liveView.stepping.passed")).as("held: no step without a click")
                    .isEqualTo(1);
            long pushed = postcopyCells();
            browser.findElement(By.id("stepBatch")).click();
            awaitPassed(2);
            // The view hears of the batch's pages after the click passed; the hold it saw may still be the old one.
            awaitPostcopyCellsAbove(pushed);
            // Held again before the next batch, unless that batch carried the last pages post-copy had to send.
            awaitHeldAtOrAllSent(1);
            long afterOneBatch = postcopyCells();
            assertThat(afterOneBatch - pushed).as("one batch: at most 256 pages, plus the faults served meanwhile")
                    .isPositive().isLessThanOrEqualTo(256 + number("return window.liveView.history.reduce("
                            + "(s, h) => s + h.faults, 0)"));

            browser.findElement(By.id("run")).click();
            awaitEnded();
            assertThat(demo.waitFor(90, TimeUnit.SECONDS)).as("the demo ended").isTrue();
            String text = Files.readString(output);
            assertThat(demo.exitValue()).as(text).isZero();
            assertThat(text).contains("oracle: identical").as("a live guest was migrated")
                    .doesNotContain("nothing live was migrated");
            Map<String, Object> report = JsonObjects.parse(Files.readString(json));
            assertThat(report).containsEntry("mode", "hybrid").containsEntry("oracle", "identical");
            @SuppressWarnings("unchecked")
            Map<String, Object> byKind = (Map<String, Object>) report.get("pages-by-kind");
            Map<String, Long> cells = kindCounts();
            long resent = ((Number) report.get("resent-pages")).longValue();
            assertThat(cells.getOrDefault("precopy-round-0", 0L)).as("round 0's cells: its pages not sent again")
                    .isEqualTo(((Number) byKind.get("precopy-round-0")).longValue() - resent);
            assertThat(postcopyCells()).as("post-copy's cells: each page it sent once")
                    .isEqualTo(((Number) byKind.get("push")).longValue() + ((Number) byKind.get("prepage")).longValue()
                            + ((Number) byKind.get("demand")).longValue());
            assertThat(cells).doesNotContainKeys("not-sent", "dirtied");
            assertThat(cells.getOrDefault("zero", 0L)).as("zero cells: pages whose last send was a zero page")
                    .isPositive().isLessThanOrEqualTo(((Number) report.get("duplicate")).longValue());
            assertThat(text).contains("vmm demo: live view: open http://127.0.0.1:" + port + "/",
                    "[source] vmm migrate: live view at http://127.0.0.1:" + port + "/");
            assertThat(text).containsPattern("\\[destination\\] live view at http://127\\.0\\.0\\.1:[0-9]+/")
                    .contains("--peer-view http://127.0.0.1:");
            assertDestinationMapEndsOnTheReport(report, cells);
            screenshot("live-view.png");

            List<Long> notSent = longs("return window.liveView.history.map(h => h.kinds['not-sent'] || 0)");
            assertThat(notSent).as("cells not yet sent, tick by tick").isNotEmpty().startsWith(16_384L).endsWith(0L);
            assertThat(notSent).as("every page is sent in round 0: the grey cells only ever shrink")
                    .isSortedAccordingTo((a, b) -> Long.compare(b, a));
            // Round 0 may pass within one tick: the working set, rewritten all the time, is left to the stop
            // (Xen's rule) and the rest are zero pages. Post-copy's cells grow batch by batch instead, and the
            // map showed the hold after the first of its 1,000-odd pages' batches: part of them, tick by tick.
            long postcopyAtEnd = postcopyCells();
            List<Long> postcopy = longs("const postcopy = " + POSTCOPY_CELLS
                    + "; return window.liveView.history.map(h => postcopy(h.kinds))");
            assertThat(postcopy).as("post-copy's cells, tick by tick")
                    .anySatisfy(n -> assertThat(n).isBetween(1L, postcopyAtEnd - 1)).endsWith(postcopyAtEnd)
                    .isSorted();
            assertThat(browser.findElement(By.id("banner")).getText()).startsWith("Migration completed in ");
            assertThat(browser.findElement(By.id("phase")).getText()).isEqualTo("completed");
            Number bulkBytes = (Number) browser.executeScript(
                    "return window.liveView.history.reduce((s, h) => s + h.bulkBytes, 0)");
            assertThat(bulkBytes.longValue()).as("bytes on the timeline, against the report's").isPositive()
                    .isLessThanOrEqualTo(((Number) report.get("transferred")).longValue());
            printViewFigures();
        } finally {
            if (demo.isAlive()) {
                demo.descendants().forEach(ProcessHandle::destroyForcibly);
                demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The destination's map, drawn beside the source's from the daemon's view: once every page is there, its
     * pre-copied cells are the source's pages whose last send came before the switch-over; each page post-copy
     * sent arrived once; the pages fetched on demand are the network faults (a fault is one page, mapped when it
     * is served, so never touched again; a fault the push's copy served counts as push at the source, so the
     * report's demand pages are at most as many); its cells moved tick by tick; the latency was shown live.
     */
    private static void assertDestinationMapEndsOnTheReport(Map<String, Object> report, Map<String, Long> source) {
        @SuppressWarnings("unchecked")
        Map<String, Object> byKind = (Map<String, Object>) report.get("pages-by-kind");
        @SuppressWarnings("unchecked")
        long networkFaults = ((Number) ((Map<String, Object>) report.get("network-faults")).get("count")).longValue();
        // The daemon's view ticks on its own clock: its last changes may land a tick after the source's end.
        awaitDestination("const k = window.liveView.destination.kindCounts(); return !k['not-received'] && !k.awaited"
                + " && (k.demand || 0) === " + networkFaults);
        Map<String, Long> dest = destinationKindCounts();
        long precopiedAtSource = source.entrySet().stream().filter(e -> e.getKey().startsWith("precopy-round-")
                || e.getKey().equals("stop-and-copy")).mapToLong(Map.Entry::getValue).sum();
        assertThat(dest.getOrDefault("precopied", 0L)).as("pre-copied cells: pages last sent before the switch-over")
                .isPositive().isEqualTo(precopiedAtSource)
                .isEqualTo(((Number) byKind.get("precopy-round-0")).longValue()
                        - ((Number) report.get("resent-pages")).longValue());
        long postcopy = ((Number) byKind.get("push")).longValue() + ((Number) byKind.get("prepage")).longValue()
                + ((Number) byKind.get("demand")).longValue();
        assertThat(dest.getOrDefault("received", 0L) + dest.getOrDefault("touched", 0L)
                + dest.getOrDefault("demand", 0L)).as("cells that arrived after the switch-over").isEqualTo(postcopy);
        assertThat(dest.getOrDefault("demand", 0L)).as("fetched on demand: the network faults")
                .isEqualTo(networkFaults).isGreaterThanOrEqualTo(((Number) byKind.get("demand")).longValue());
        assertThat(dest).doesNotContainKeys("not-received", "awaited");

        long arrivedAtEnd = postcopy;
        List<Long> arrived = longs("return window.liveView.destination.history.map(h => (h.kinds.received || 0)"
                + " + (h.kinds.touched || 0) + (h.kinds.demand || 0))");
        assertThat(arrived).as("the destination's post-copy cells, tick by tick")
                .anySatisfy(n -> assertThat(n).isBetween(1L, arrivedAtEnd - 1)).endsWith(arrivedAtEnd);
        if (networkFaults > 0) {
            assertThat(number("return window.liveView.destination.liveLatency ? window.liveView.destination"
                    + ".liveLatency.count : 0")).as("faults in the live latency before the end").isPositive()
                    .isLessThanOrEqualTo(networkFaults);
            assertThat(number("const l = window.liveView.destination.liveLatency;"
                    + " return l.histogram.reduce((s, n) => s + n, 0) - l.count")).as("the histogram holds each"
                    + " fault once").isZero();
            assertThat(browser.findElements(By.cssSelector("#latency .bucket"))).as("the histogram's bars")
                    .isNotEmpty();
        }
    }

    /**
     * The daemon's own page, opened in a second tab while the migration is held: the destination's map alone,
     * with its own counts and phase, and no step control.
     */
    private static void assertDaemonsOwnPage(Path output) throws IOException {
        Matcher line = Pattern.compile("\\[destination\\] live view at (http://\\S+)").matcher(Files.readString(output));
        assertThat(line.find()).as("the destination's view line").isTrue();
        String sourceTab = browser.getWindowHandle();
        browser.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        try {
            browser.get(line.group(1));
            awaitDestination("const v = window.liveView; return !!(v && v.ticks > 0 && v.hello"
                    + " && v.hello.role === 'destination' && (v.kindCounts().precopied || 0) > 0)");
            assertThat(browser.findElement(By.id("sourceMap")).isDisplayed()).as("no source map").isFalse();
            assertThat(browser.findElement(By.id("destinationMap")).isDisplayed()).isTrue();
            assertThat(browser.findElement(By.id("controls")).isDisplayed()).as("no step controls").isFalse();
            assertThat(browser.findElement(By.id("destLegend")).getText()).contains("copied before the switch-over: ");
        } finally {
            browser.close();
            browser.switchTo().window(sourceTab);
        }
    }

    private static void awaitDestination(String script) {
        try {
            new WebDriverWait(browser, java.time.Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(
                    browser.executeScript(script)));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the destination's map never showed that (" + script + "): "
                    + browser.executeScript("const d = window.liveView.destination; return d ? JSON.stringify("
                    + "{kinds: d.kindCounts(), ticks: d.ticks, closed: d.closed}) : 'no destination map'"), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> destinationKindCounts() {
        Map<String, Object> raw = (Map<String, Object>) browser.executeScript(
                "return window.liveView.destination.kindCounts()");
        Map<String, Long> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, ((Number) v).longValue()));
        return out;
    }

    /** A JavaScript function of the view's cell counts by kind: the cells post-copy sent (push, prepage, demand). */
    private static final String POSTCOPY_CELLS = "(k => (k.push || 0) + (k.prepage || 0) + (k.demand || 0))";

    private static long postcopyCells() {
        return number("return (" + POSTCOPY_CELLS + ")(window.liveView.kindCounts())");
    }

    private static long number(String script) {
        return ((Number) browser.executeScript(script)).longValue();
    }

    /** Waits until the migration is held at {@code step} (any step when null) after {@code rounds} rounds. */
    private static void awaitHeldAt(String step, long rounds) {
        try {
            new WebDriverWait(browser, java.time.Duration.ofSeconds(60)).until(d -> Boolean.TRUE.equals(
                    browser.executeScript("const v = window.liveView; if (!v) return false;"
                            + " const h = v.history[v.history.length - 1];"
                            + " return !!(v.stepping && v.stepping.heldAt && (arguments[0] === null"
                            + " || v.stepping.heldAt === arguments[0]) && h"
                            + " && v.lastCounters && v.lastCounters.rounds === arguments[1])", step, rounds)));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("not held at " + step + " after " + rounds + " round(s): " + pageState(), e);
        }
    }

    private static String pageState() {
        if (Boolean.FALSE.equals(browser.executeScript("return !!window.liveView"))) {
            return "no live view on the page: " + browser.executeScript("return location.href + ' ('"
                    + " + document.readyState + '): ' + document.title + ' / '"
                    + " + (document.body ? document.body.innerText.slice(0, 300) : 'no body')");
        }
        return "stepping " + browser.executeScript("return JSON.stringify(window.liveView.stepping)") + ", counters "
                + browser.executeScript("return JSON.stringify(window.liveView.lastCounters)") + ", phase "
                + browser.executeScript("return window.liveView.phase");
    }

    /** As {@link #awaitHeldAt} at any step, or until no page is left to send; says what the page saw if not. */
    private static void awaitHeldAtOrAllSent(long rounds) {
        try {
            new WebDriverWait(browser, java.time.Duration.ofSeconds(60)).until(d -> Boolean.TRUE.equals(
                    browser.executeScript("const v = window.liveView, c = v.lastCounters;"
                            + " return !!(c && c.rounds === arguments[0] && (v.stepping && v.stepping.heldAt"
                            + " || c.remaining === 0 || v.ended))", rounds)));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("neither held again nor done: " + pageState(), e);
        }
    }

    /** Waits until the map shows more post-copy pages than {@code cells}; says what the page saw if not. */
    private static void awaitPostcopyCellsAbove(long cells) {
        try {
            new WebDriverWait(browser, java.time.Duration.ofSeconds(30)).until(d -> postcopyCells() > cells);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no post-copy page beyond the " + cells + " shown before the step: " + pageState(), e);
        }
    }

    private static void awaitPassed(long n) {
        new WebDriverWait(browser, java.time.Duration.ofSeconds(30)).until(d -> Boolean.TRUE.equals(
                browser.executeScript("return !!(window.liveView.stepping && window.liveView.stepping.passed >= "
                        + n + ")")));
    }

    @Test
    void pageSaysClearlyWhyAMigrationFailed() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "a-test-secret-of-enough-bytes\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        int nobody = freePort(); // nothing listens there: the source cannot connect
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            RunningVmm run = RunningVmm.start(threads, "migrate", "--migrate-to", "127.0.0.1:" + nobody,
                    "--secret-file", secret.toString(), "--memory", "16M", "--arg", "wss=1M", "--arg", "passes=40000",
                    "--after", "1s", "--no-warm-up", "--quiet", "--web", "0");
            run.err().written("live view at ", 1).get(30, TimeUnit.SECONDS);
            Matcher serving = SERVING.matcher(run.err().toString());
            assertThat(serving.find()).as(run.err().toString()).isTrue();
            browser.get(serving.group(1));
            awaitEnded();
            assertThat(run.awaitExit(60)).isEqualTo(ExitCode.MIGRATION_FAILED.code());
            String banner = browser.findElement(By.id("banner")).getText();
            assertThat(banner).startsWith("Migration failed: ").contains(Integer.toString(nobody));
            assertThat(browser.findElement(By.id("banner")).getAttribute("class")).contains("failed");
        } finally {
            threads.shutdownNow();
        }
    }

    /** Figures for the record: the view's frame rate and bytes to the browser while the migration ran. */
    @Test
    @EnabledIfSystemProperty(named = "migrationlab.web.measure", matches = "true")
    void measuresTheViewOfA512MiBGuest() throws Exception {
        int port = freePort();
        Path output = dir.resolve("demo.txt");
        List<String> command = new ArrayList<>(ChildProcesses.javaCommand());
        command.addAll(List.of("demo", "--no-warm-up", "--timeout", "200s", "--web", Integer.toString(port)));
        command.addAll(List.of(System.getProperty("migrationlab.web.args", "").split(" ")).stream()
                .filter(a -> !a.isBlank()).toList());
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        demo.getOutputStream().close();
        try {
            String url = "http://127.0.0.1:" + port + "/";
            awaitServing(url, demo, output);
            browser.get(url);
            awaitEnded();
            demo.waitFor(120, TimeUnit.SECONDS);
            // Two maps of a 512 MiB guest, one above the other, are taller than the window the other tests use.
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1600, 1750));
            screenshot("live-view-512M.png");
            printViewFigures();
            System.out.println(Files.readString(output));
        } finally {
            if (demo.isAlive()) {
                demo.descendants().forEach(ProcessHandle::destroyForcibly);
                demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void printViewFigures() {
        Object figures = browser.executeScript("const v = window.liveView; return JSON.stringify({pages: v.pages,"
                + " migration: v.migration, ticks: v.ticks, frames: v.frames, bytes: v.bytes,"
                + " meanApplyMillis: v.applyMillis / Math.max(1, v.ticks), maxApplyMillis: v.maxApplyMillis,"
                + " destination: v.destination && {ticks: v.destination.ticks, bytes: v.destination.bytes,"
                + " latency: v.destination.latency}})");
        System.out.println("live view figures: " + figures);
    }

    private void screenshot(String name) throws IOException {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void awaitEnded() {
        new WebDriverWait(browser, java.time.Duration.ofSeconds(90)).until(d -> Boolean.TRUE.equals(
                browser.executeScript("return !!(window.liveView && window.liveView.ended)")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> kindCounts() {
        Map<String, Object> raw = (Map<String, Object>) browser.executeScript("return window.liveView.kindCounts()");
        Map<String, Long> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, ((Number) v).longValue()));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Long> longs(String script) {
        return ((List<Object>) browser.executeScript(script)).stream().map(v -> ((Number) v).longValue()).toList();
    }

    /** Waits until the source child serves the page (it starts serving once its guest is built). */
    private static void awaitServing(String url, Process demo, Path output) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    c.disconnect();
                    return;
                }
            } catch (IOException notYet) {
                // not serving yet
            }
            assertThat(demo.isAlive()).as("the demo runs; its output: %s", Files.readString(output)).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("the live view never served " + url + "; output: " + Files.readString(output));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
