package org.migrationlab.guest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the guest images this module packages, by name, on the classpath (resources under
 * {@code guest-images/}, listed in {@code guest-images/index.txt} by the C build).
 *
 * <ul>
 *   <li>{@value #KERNEL}: the guest kernel; boot arguments select its workload (WORKLOADS.md);</li>
 *   <li>{@value #HELLO_ELF} and {@value #HELLO_FLAT}: the example user guest as ELF and as a flat
 *       binary whose first byte is its entry point (GUIDE.md);</li>
 *   <li>{@value #COUNTER_ELF}: the example user guest that rewrites a region of memory pass after pass
 *       and reports its progress, for a few hundred milliseconds.</li>
 * </ul>
 *
 * It also lists the kernel's workloads ({@link #workloads()}), so that nothing else keeps its own copy
 * of that list. Stateless; every call reads the resource again and returns a fresh array or list.
 */
public final class GuestImages {
    public static final String KERNEL = "kernel.elf";
    public static final String HELLO_ELF = "hello.elf";
    public static final String HELLO_FLAT = "hello.bin";
    public static final String COUNTER_ELF = "counter.elf";

    private static final String DIRECTORY = "guest-images/";
    private static final String INDEX = DIRECTORY + "index.txt";
    private static final String WORKLOADS = DIRECTORY + "workloads.txt";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*");

    private GuestImages() {
    }

    /** The guest kernel image (ELF). */
    public static byte[] kernel() {
        return load(KERNEL);
    }

    /**
     * The bytes of the image called {@code name} (for example {@value #KERNEL}).
     *
     * @throws IllegalArgumentException if there is no such image; the message lists those that exist
     */
    public static byte[] load(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not an image name; available: " + availableText());
        }
        try (InputStream in = loader().getResourceAsStream(DIRECTORY + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no guest image '" + name + "' on the classpath; available: "
                        + availableText());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading guest image " + name, e);
        }
    }

    /** The names of every packaged image, in build order; empty if the images were not built. */
    public static List<String> names() {
        return lines(INDEX);
    }

    /**
     * The workloads {@value #KERNEL} can run, in the order of its registry (the C build writes them from
     * {@code workloads/workloads.def}, the list the kernel's own table is made of); empty if the images
     * were not built.
     */
    public static List<String> workloads() {
        return lines(WORKLOADS);
    }

    private static List<String> lines(String resource) {
        try (InputStream in = loader().getResourceAsStream(resource)) {
            if (in == null) {
                return List.of();
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return reader.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    private static String availableText() {
        List<String> names = names();
        return names.isEmpty() ? "none (the guest-images module was built without its images)" : String.join(", ", names);
    }

    private static ClassLoader loader() {
        return GuestImages.class.getClassLoader();
    }
}
