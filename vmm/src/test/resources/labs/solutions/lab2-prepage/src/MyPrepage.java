import org.migrationlab.migration.pages.SentView;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;

/**
 * Lab 2, a reference solution: push forward from the last network fault. The guest sweeps its working set
 * in order, so the pages just above the one it waited for are the ones it wants next; once nothing is left
 * above, the push wraps around to page 0.
 */
public final class MyPrepage implements PrepageStrategy {
    private long cursor;

    @Override
    public void onFault(long page) {
        cursor = page + 1;
    }

    @Override
    public long next(SentView sent) {
        long page = sent.nextUnsent(cursor);
        if (page < 0) {
            page = sent.nextUnsent(0);
        }
        if (page >= 0) {
            cursor = page + 1;
        }
        return page;
    }

    @Override
    public boolean sweepsWhenIdle() {
        return true;
    }
}
