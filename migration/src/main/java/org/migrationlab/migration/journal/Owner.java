package org.migrationlab.migration.journal;

/** The side that holds the one runnable copy of a migration's guest. */
public enum Owner {
    SOURCE, DESTINATION;

    public String label() {
        return name().toLowerCase();
    }
}
