package org.migrationlab.vmm.cli;

import picocli.CommandLine;

/** {@code vmm --version}: the build's version (from the jar manifest) and the Java runtime. */
final class VmmVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VmmVersion.class.getPackage().getImplementationVersion();
        return new String[] {
            "vmm " + (version == null ? "(development build)" : version),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        };
    }
}
