package org.migrationlab.vmm.cli;

import java.util.Iterator;

import org.migrationlab.guest.GuestImages;

/**
 * The built-in kernel's workloads as picocli completion candidates, so that every help text that names
 * them ({@code ${COMPLETION-CANDIDATES}} of {@code --workload}) takes them from the kernel's own list
 * ({@link GuestImages#workloads()}) instead of keeping a copy that falls behind.
 */
final class KernelWorkloads implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return GuestImages.workloads().iterator();
    }
}
