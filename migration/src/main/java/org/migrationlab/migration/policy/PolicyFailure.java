package org.migrationlab.migration.policy;

/** Why a call into a loaded policy gave no usable answer, in words for the report. */
final class PolicyFailure extends Exception {
    PolicyFailure(String message) {
        super(message, null, false, false);
    }
}
