package org.migrationlab.vmm.labs;

import java.util.Objects;

/**
 * One thing a lab's checker looked at: whether it passed, and what it saw, in words and figures.
 *
 * @param name   what was checked, short
 * @param passed whether it holds
 * @param detail the figures behind the verdict, or what to do about a failure
 */
public record Check(String name, boolean passed, String detail) {
    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
    }

    public static Check pass(String name, String detail) {
        return new Check(name, true, detail);
    }

    public static Check fail(String name, String detail) {
        return new Check(name, false, detail);
    }

    public static Check of(String name, boolean passed, String detail) {
        return new Check(name, passed, detail);
    }
}
