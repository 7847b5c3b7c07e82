package org.migrationlab.vmm.cli;

import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * {@code HOST:PORT} on the command line: a host name or IPv4 address, or an IPv6 address in brackets
 * ({@code [::1]:7000}), and a port from 0 to 65535. The host is resolved here, so an unknown name is a
 * usage error.
 */
public final class HostPortConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.%a-zA-Z]+\\]|[^:\\[\\]\\s]+):([0-9]{1,5})");

    @Override
    public InetSocketAddress convert(String value) {
        return parse(value);
    }

    public static InetSocketAddress parse(String text) {
        Matcher m = HOST_PORT.matcher(text.strip());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not HOST:PORT (like 127.0.0.1:7000 or"
                    + " [::1]:7000)");
        }
        int port = Integer.parseInt(m.group(2));
        if (port > 65535) {
            throw new CommandLine.TypeConversionException("'" + text + "': port " + port + " is above 65535");
        }
        String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new CommandLine.TypeConversionException("'" + text + "': cannot resolve host '" + host + "'");
        }
        return address;
    }

    /** The address as HOST:PORT again, with the numeric host (IPv6 in brackets). */
    public static String format(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
