package org.migrationlab.migration.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.memory.GuestMemory;

/**
 * Pins the dependency arrows between the modules and packages (docs/ARCHITECTURE.md): emulator ← balloon ←
 * migration, the engine reaches the emulator only through its migration port and never reaches the command
 * line; inside the engine, the codec knows nothing of channels or sessions, policies nothing of the network,
 * live progress nothing of reports, and only the reports speak JSON.
 */
class DependencyRulesTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.migrationlab");
    }

    @Test
    void theMigrationEngineNeverTouchesUnicorn() {
        noClasses().that().resideInAPackage("org.migrationlab.migration..")
                .should().dependOnClassesThat().resideInAPackage("org.migrationlab.emulator.unicorn..")
                .check(classes);
    }

    /**
     * The one narrow door: from the emulator, engine code may use the port ({@code emulator.port}), the
     * image and boot types ({@code emulator.image}, {@link MachineConfig}) and the page size
     * ({@link GuestMemory#PAGE_SIZE}, a constant the compiler inlines) — nothing else.
     */
    @Test
    void theMigrationEngineReachesTheEmulatorOnlyThroughItsPort() {
        noClasses().that().resideInAPackage("org.migrationlab.migration..")
                .should().dependOnClassesThat(resideInAPackage("org.migrationlab.emulator..")
                        .and(not(resideInAnyPackage("org.migrationlab.emulator.port..", "org.migrationlab.emulator.image..")))
                        .and(not(belongToAnyOf(MachineConfig.class))))
                .check(classes);
    }

    @Test
    void theEmulatorKnowsNothingOfMigration() {
        noClasses().that().resideInAPackage("org.migrationlab.emulator..")
                .should().dependOnClassesThat().resideInAnyPackage("org.migrationlab.migration..", "org.migrationlab.balloon..",
                        "io.netty..")
                .check(classes);
    }

    @Test
    void theCodecKnowsNoChannelsOrSessions() {
        noClasses().that().resideInAPackage("org.migrationlab.migration.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("org.migrationlab.migration.transport..",
                        "org.migrationlab.migration.session..", "org.migrationlab.vmm.cli..")
                .check(classes);
    }

    @Test
    void policiesArePure() {
        noClasses().that().resideInAnyPackage("org.migrationlab.migration.precopy.stop..",
                        "org.migrationlab.migration.postcopy.prepage..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.migrationlab.migration.transport..",
                        "org.migrationlab.migration.session..", "org.migrationlab.migration.precopy",
                        "org.migrationlab.migration.postcopy",
                        "org.migrationlab.emulator..")
                .check(classes);
    }

    /** A fault plan is text and events: it knows no network, no sessions, no emulator. */
    @Test
    void faultPlansArePure() {
        noClasses().that().resideInAPackage("org.migrationlab.migration.faults..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.migrationlab.migration.transport..",
                        "org.migrationlab.migration.session..", "org.migrationlab.emulator..")
                .check(classes);
    }

    /** Step mode is a gate and its commands: no network, no sessions, no emulator, no threads of its own. */
    @Test
    void stepModeIsPure() {
        noClasses().that().resideInAPackage("org.migrationlab.migration.step..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.migrationlab.migration.transport..",
                        "org.migrationlab.migration.session..", "org.migrationlab.emulator..")
                .check(classes);
    }

    @Test
    void transportKnowsNoSessions() {
        noClasses().that().resideInAPackage("org.migrationlab.migration.transport..")
                .should().dependOnClassesThat().resideInAnyPackage("org.migrationlab.migration.session..",
                        "org.migrationlab.vmm.cli..")
                .check(classes);
    }

    @Test
    void theEngineNeverReachesTheCommandLine() {
        noClasses().that().resideInAPackage("org.migrationlab.migration..")
                .should().dependOnClassesThat().resideInAPackage("org.migrationlab.vmm..")
                .check(classes);
    }

    @Test
    void liveProgressKnowsNoReportsAndNoJson() {
        noClasses().that().resideInAPackage("org.migrationlab.migration.progress..")
                .should().dependOnClassesThat().resideInAnyPackage("org.migrationlab.migration.report..",
                        "org.migrationlab.migration.session..", "org.migrationlab.migration.transport..", "io.netty..",
                        "tools.jackson..", "com.fasterxml.jackson..")
                .check(classes);
    }

    /** Reports may describe a guest by its boot config, nothing else of the machine. */
    @Test
    void reportsKnowNoSessionsAndNoNetwork() {
        noClasses().that().resideInAPackage("org.migrationlab.migration.report..")
                .should().dependOnClassesThat(resideInAnyPackage("org.migrationlab.migration.session..",
                        "org.migrationlab.migration.transport..", "org.migrationlab.migration.protocol..", "io.netty..",
                        "org.migrationlab.emulator.machine..").and(not(belongToAnyOf(MachineConfig.class))))
                .check(classes);
    }

    @Test
    void onlyTheReportsSpeakJson() {
        noClasses().that().resideInAPackage("org.migrationlab.migration..")
                .and().resideOutsideOfPackage("org.migrationlab.migration.report..")
                .should().dependOnClassesThat().resideInAnyPackage("tools.jackson..", "com.fasterxml.jackson..")
                .check(classes);
    }
}
