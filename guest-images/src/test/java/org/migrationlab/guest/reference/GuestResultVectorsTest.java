package org.migrationlab.guest.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Results that kernel.elf reported for these seeds and arguments when run under Unicorn; the same
 * vectors are listed in WORKLOADS.md. A reference that disagrees has drifted from the guest (or the
 * definition was changed without updating both).
 */
class GuestResultVectorsTest {

    @ParameterizedTest(name = "wss seed {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1  |                                           | d6310042e1527b09
            1  | pattern=random                            | 8a649b1801dd6dbf
            1  | pattern=hotcold hot=0.25 write-ratio=0.125 | c5368b505e773fd8
            1  | write-ratio=0 wss=4K passes=3             | 7da144b97d054b25
            99 | write-ratio=1 wss=32M passes=2            | 1d92293358be2d06
            1  | wss=59M                                   | 7e443553ecda923b
            """)
    void wss(long seed, String args, String expected) {
        assertThat(WssReference.result(seed, parse(args))).isEqualTo(Long.parseUnsignedLong(expected, 16));
    }

    @ParameterizedTest(name = "incrementer {0}")
    @CsvSource(delimiter = '|', textBlock = """
                                    | d936d02311696c45
            range=1M sweeps=300     | c5e22f8b686a7ca8
            range=4K sweeps=1       | 7194f3e59ae47dcd
            """)
    void incrementer(String args, String expected) {
        assertThat(IncrementerReference.result(parse(args))).isEqualTo(Long.parseUnsignedLong(expected, 16));
    }

    @ParameterizedTest(name = "quicksort seed {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1 |                                        | 4992d08ba14e58c5
            1 | procs=1 size=1M rounds=1               | 73387231964012ea
            1 | procs=63 size=2M rounds=3 yield-every=1 | fa5eadde1284fedf
            1 | procs=128 size=2M rounds=3 yield-every=1 | 2d7f16a4d0b4e42e
            1 | procs=3 size=100000 yield-every=0      | 85d3742b454f796a
            """)
    void quicksort(long seed, String args, String expected) {
        assertThat(QuicksortReference.result(seed, parse(args))).isEqualTo(Long.parseUnsignedLong(expected, 16));
    }

    @ParameterizedTest(name = "kcompile seed {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1 |                            | 813ff9db7e469ccd
            1 | objects=1 ops=1000         | 513af480bf2f85c7
            1 | objects=100000 ops=50000   | 586a1d63968e3809
            """)
    void kcompile(long seed, String args, String expected) {
        assertThat(KcompileReference.result(seed, parse(args))).isEqualTo(Long.parseUnsignedLong(expected, 16));
    }

    @ParameterizedTest(name = "churn seed {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1  |                                  | 5e34ca10f660abc9
            12 | size=4M block=64K phases=5       | 921b2d8a92b61f77
            13 | size=1M block=4K phases=1        | 577ba0902579f384
            """)
    void churn(long seed, String args, String expected) {
        assertThat(ChurnReference.result(seed, parse(args))).isEqualTo(Long.parseUnsignedLong(expected, 16));
    }

    @ParameterizedTest(name = "the kernel's dsb arguments do not change results: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            objects=1 ops=1000 dsb=on dsb-interval=1ms dsb-reserve=1M | 513af480bf2f85c7
            """)
    void kernelArgumentsDoNotChangeResults(String args, String expected) {
        assertThat(KcompileReference.result(1, parse(args))).isEqualTo(Long.parseUnsignedLong(expected, 16));
    }

    @ParameterizedTest(name = "stream seed {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1 |                              | e966f9bd
            1 | bytes=1000 chunk=24 ring=1   | d0cbae06
            1 | bytes=12345 chunk=4096       | 5f309287
            1 | bytes=1M chunk=1M ring=256   | b450a37e
            """)
    void stream(long seed, String args, String expected) {
        assertThat(StreamReference.result(seed, parse(args))).isEqualTo(Long.parseUnsignedLong(expected, 16));
    }

    /** "k=v k=v" as given to the guest; blank = no arguments. */
    static Map<String, String> parse(String args) {
        Map<String, String> map = new LinkedHashMap<>();
        if (args != null) {
            for (String pair : args.trim().split("\\s+")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    map.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return map;
    }
}
