/**
 * The {@code vmm} command line: picocli commands that map options onto the emulator's config records,
 * run guests on a dedicated vCPU thread and print reports. Exit codes are {@link
 * org.migrationlab.vmm.cli.ExitCode}; every failure the user can fix ends in one line on stderr.
 */
package org.migrationlab.vmm.cli;
