package org.migrationlab.vmm.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins what the command line's rendering may reach: it shows reports and live progress to people,
 * so it never drives a machine or a migration, never writes JSON (the reports do), and knows nothing
 * of the commands that use it.
 */
class RenderRulesTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.migrationlab.vmm");
    }

    @Test
    void renderingOnlyReadsReportsAndLiveProgress() {
        noClasses().that().resideInAPackage("org.migrationlab.vmm.render..")
                .should().dependOnClassesThat().resideInAnyPackage("org.migrationlab.vmm.cli..",
                        "org.migrationlab.emulator.machine..", "org.migrationlab.emulator.cpu..",
                        "org.migrationlab.migration.session..", "org.migrationlab.migration.transport..", "io.netty..",
                        "tools.jackson..", "com.fasterxml.jackson..")
                .check(classes);
    }

    /**
     * The live view watches a migration through the engine's ports (progress, its page observer, the step
     * gate) and its reports: it never drives a machine, a session or the engine's network, nor the commands.
     */
    @Test
    void theLiveViewOnlyWatchesThroughTheEnginesPorts() {
        noClasses().that().resideInAPackage("org.migrationlab.vmm.web..")
                .should().dependOnClassesThat().resideInAnyPackage("org.migrationlab.vmm.cli..",
                        "org.migrationlab.emulator.machine..", "org.migrationlab.emulator.cpu..",
                        "org.migrationlab.emulator.unicorn..", "org.migrationlab.migration.session..",
                        "org.migrationlab.migration.transport..", "org.migrationlab.migration.engine..")
                .check(classes);
    }
}
