package org.migrationlab.vmm.cli;

import java.util.Locale;

import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategies;
import org.migrationlab.migration.precopy.stop.StopPolicies;
import org.migrationlab.migration.protocol.MigrationMode;

import picocli.CommandLine;

/**
 * The migration options' values as the command line spells them (lower case, hyphens), each checked
 * against the one place that knows the names, with a one-line message listing the known ones.
 */
final class MigrationConverters {
    private MigrationConverters() {
    }

    /** {@code --mode precopy|postcopy|hybrid|stop-and-copy}. */
    static final class Mode implements CommandLine.ITypeConverter<MigrationMode>, Iterable<String> {
        @Override
        public MigrationMode convert(String value) {
            MigrationMode mode = MigrationMode.ofLabel(value.strip().toLowerCase(Locale.ROOT));
            if (mode == null) {
                throw new CommandLine.TypeConversionException("unknown mode '" + value + "'; known: "
                        + String.join(", ", this));
            }
            return mode;
        }

        static String name(MigrationMode mode) {
            return mode.label();
        }

        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(MigrationMode.values()).map(Mode::name).iterator();
        }
    }

    /** {@code --dirty-log write-protect|dirty-bit}. */
    static final class DirtyLog implements CommandLine.ITypeConverter<DirtyLogMode>, Iterable<String> {
        @Override
        public DirtyLogMode convert(String value) {
            for (DirtyLogMode mode : DirtyLogMode.values()) {
                if (name(mode).equals(value.strip().toLowerCase(Locale.ROOT))) {
                    return mode;
                }
            }
            throw new CommandLine.TypeConversionException("unknown dirty-log mode '" + value + "'; known: "
                    + String.join(", ", this));
        }

        static String name(DirtyLogMode mode) {
            return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(DirtyLogMode.values()).map(DirtyLog::name).iterator();
        }
    }

    /** {@code --prepage NAME}: one of {@link PrepageStrategies#names()}. */
    static final class Prepage implements CommandLine.ITypeConverter<String>, Iterable<String> {
        @Override
        public String convert(String value) {
            if (!PrepageStrategies.names().contains(value)) {
                throw new CommandLine.TypeConversionException("unknown prepage strategy '" + value + "'; known: "
                        + String.join(", ", PrepageStrategies.names()));
            }
            return value;
        }

        @Override
        public java.util.Iterator<String> iterator() {
            return PrepageStrategies.names().iterator();
        }
    }

    /** {@code --stop-policy NAME}: one of {@link StopPolicies#names()}. */
    static final class StopPolicy implements CommandLine.ITypeConverter<String>, Iterable<String> {
        @Override
        public String convert(String value) {
            if (!StopPolicies.names().contains(value)) {
                throw new CommandLine.TypeConversionException("unknown stop policy '" + value + "'; known: "
                        + String.join(", ", StopPolicies.names()));
            }
            return value;
        }

        @Override
        public java.util.Iterator<String> iterator() {
            return StopPolicies.names().iterator();
        }
    }
}
