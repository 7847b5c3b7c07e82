package org.migrationlab.vmm.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

import org.migrationlab.vmm.web.LiveView;
import picocli.CommandLine;

/** Starts the live view of --web on loopback, or none without the option. */
final class WebView {
    /** How long a view nobody opened stays up after the migration ended. */
    static final long LINGER_SECONDS = 30;

    private WebView() {
    }

    /** The view at {@code port} on loopback, its address said in one line; null when {@code port} is null. */
    static LiveView start(Integer port, String title, Consumer<String> say) throws InterruptedException {
        if (port == null) {
            return null;
        }
        if (port < 0 || port > 65535) {
            throw new UserInputException("--web needs a port from 0 to 65535, not " + port);
        }
        LiveView view;
        try {
            view = LiveView.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), title);
        } catch (RuntimeException e) {
            // Netty reports a port in use as a checked BindException thrown unchecked.
            throw new UserInputException("--web: cannot listen on port " + port + ": " + OneLine.of(String.valueOf(e.getMessage())));
        }
        say.accept("live view at " + view.url());
        return view;
    }
}
