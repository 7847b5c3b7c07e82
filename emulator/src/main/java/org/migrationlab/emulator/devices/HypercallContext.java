package org.migrationlab.emulator.devices;

/**
 * What a device sees of one hypercall: its arguments, a way to return a result in RAX, and guest memory
 * access that refuses pages which are not present and logs host writes for dirty tracking.
 */
public interface HypercallContext {
    long arg0();

    long arg1();

    long arg2();

    void result(long value);

    /** Reads guest bytes; throws {@link BadHypercallException} unless every page is present. */
    byte[] readGuest(long gpa, int length);

    /** Writes guest bytes (logged as dirty); throws {@link BadHypercallException} unless present. */
    void writeGuest(long gpa, byte[] bytes);
}
