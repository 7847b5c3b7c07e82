package org.migrationlab.vmm.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Two network namespaces joined by a veth pair: a real link between two processes on one machine, which a test
 * can take down and up again (a partition no fault plan fakes). Names are unique per instance, so concurrent
 * runs do not meet; {@link #close} removes both namespaces (and with them the pair) whatever happened.
 * {@link #create} skips the test, with the reason, where the machine forbids namespaces.
 */
public final class VethPair implements AutoCloseable {
    public static final String SOURCE_ADDRESS = "10.77.0.1";
    public static final String DESTINATION_ADDRESS = "10.77.0.2";
    private static final long COMMAND_SECONDS = 10;

    private final String sourceNs;
    private final String destinationNs;
    private final String sourceVeth;
    private final String destinationVeth;
    private final List<String> created = new ArrayList<>();

    private VethPair(String tag) {
        sourceNs = "mlsrc-" + tag;
        destinationNs = "mldst-" + tag;
        sourceVeth = "mlvs" + tag; // interface names: at most 15 characters
        destinationVeth = "mlvd" + tag;
    }

    /** The pair, up, with {@link #SOURCE_ADDRESS}/30 and {@link #DESTINATION_ADDRESS}/30; skips where not allowed. */
    public static VethPair create() throws IOException, InterruptedException {
        String tag = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
                (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt()});
        VethPair pair = new VethPair(tag);
        Result probe;
        try {
            probe = run("ip", "netns", "add", pair.sourceNs);
        } catch (IOException e) {
            Assumptions.abort("no 'ip' command here (" + e.getMessage() + "): network namespaces cannot be made");
            throw e;
        }
        if (probe.code != 0) {
            Assumptions.assumeFalse(probe.output.contains("Operation not permitted")
                    || probe.output.contains("Permission denied"),
                    "this machine forbids network namespaces: " + probe.output.strip());
            throw new IOException("ip netns add " + pair.sourceNs + ": " + probe.output.strip());
        }
        pair.created.add(pair.sourceNs);
        try {
            pair.must("ip", "netns", "add", pair.destinationNs);
            pair.created.add(pair.destinationNs);
            pair.must("ip", "link", "add", pair.sourceVeth, "netns", pair.sourceNs, "type", "veth", "peer", "name",
                    pair.destinationVeth, "netns", pair.destinationNs);
            pair.must("ip", "-n", pair.sourceNs, "addr", "add", SOURCE_ADDRESS + "/30", "dev", pair.sourceVeth);
            pair.must("ip", "-n", pair.destinationNs, "addr", "add", DESTINATION_ADDRESS + "/30", "dev",
                    pair.destinationVeth);
            for (String ns : List.of(pair.sourceNs, pair.destinationNs)) {
                pair.must("ip", "-n", ns, "link", "set", "lo", "up");
            }
            pair.up();
            return pair;
        } catch (IOException | RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    /** The command that runs {@code command} inside the source's namespace. */
    public List<String> inSource(List<String> command) {
        return in(sourceNs, command);
    }

    public List<String> inDestination(List<String> command) {
        return in(destinationNs, command);
    }

    /** Cuts the link: both ends lose carrier, and nothing crosses in either direction. */
    public void down() throws IOException, InterruptedException {
        must("ip", "-n", sourceNs, "link", "set", sourceVeth, "down");
    }

    public void up() throws IOException, InterruptedException {
        must("ip", "-n", sourceNs, "link", "set", sourceVeth, "up");
        must("ip", "-n", destinationNs, "link", "set", destinationVeth, "up");
    }

    @Override
    public void close() {
        // Deleting a namespace deletes its end of the pair, and with it the other end.
        for (String ns : created.reversed()) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        created.clear();
    }

    private static List<String> in(String ns, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        wrapped.addAll(command);
        return wrapped;
    }

    private void must(String... command) throws IOException, InterruptedException {
        Result result = run(command);
        if (result.code != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + result.code + "): " + result.output.strip());
        }
    }

    private record Result(int code, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes(); // ends when the command does
        if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end within " + COMMAND_SECONDS + " s");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
