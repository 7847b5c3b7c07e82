package org.migrationlab.vmm.eval;

import org.migrationlab.migration.protocol.MigrationMode;

/**
 * One of the paper's stress-test configurations: a scheme, with or without self-ballooning.
 *
 * @param label how tables and plots name it, as the paper does ("Write post-copy DSB")
 * @param mode  pre-copy or post-copy
 * @param dsb   dynamic self-ballooning in the guest
 */
public record Scheme(String label, MigrationMode mode, boolean dsb) {
}
