import org.migrationlab.migration.pages.SentView;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;

/**
 * Lab 2: your prepaging policy. The engine calls onFault for every network fault (a page the guest needed
 * and did not have yet) and next whenever it can push a page. See the lab's README.md.
 */
public final class MyPrepage implements PrepageStrategy {

    @Override
    public void onFault(long page) {
        // TODO: remember what the guest is working on.
    }

    @Override
    public long next(SentView sent) {
        // TODO: the next page to push, one that is not sent yet; NO_PAGE (-1) when you have nothing to offer.
        throw new UnsupportedOperationException("TODO: write MyPrepage.next");
    }

    @Override
    public boolean sweepsWhenIdle() {
        return true;
    }
}
