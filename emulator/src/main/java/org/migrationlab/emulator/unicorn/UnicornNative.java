package org.migrationlab.emulator.unicorn;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one place that knows libunicorn's symbols. Handles are built once at class initialisation into
 * {@code static final} fields so the JIT treats them as constants. A missing library does not fail
 * class initialisation: it is recorded in {@link #LOAD_FAILURE} and turned into a
 * {@link UnicornUnavailableException} by {@link #requireAvailable()}.
 */
final class UnicornNative {
    /** System property naming the library file to load instead of the system's libunicorn.so.2. */
    static final String LIBRARY_PROPERTY = "migrationlab.unicorn.library";
    static final String DEBIAN_PACKAGE = "libunicorn2";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final String LIBRARY_NAME;
    private static final Throwable LOAD_FAILURE;

    static final MethodHandle uc_open;
    static final MethodHandle uc_close;
    static final MethodHandle uc_strerror;
    static final MethodHandle uc_mem_map_ptr;
    static final MethodHandle uc_mem_unmap;
    static final MethodHandle uc_mem_protect;
    static final MethodHandle uc_mem_read;
    static final MethodHandle uc_mem_write;
    static final MethodHandle uc_reg_read;
    static final MethodHandle uc_reg_write;
    static final MethodHandle uc_emu_start;
    static final MethodHandle uc_emu_stop;
    static final MethodHandle uc_hook_add;
    static final MethodHandle uc_hook_add_insn;
    static final MethodHandle uc_hook_del;
    static final MethodHandle uc_ctl_0;
    static final MethodHandle uc_ctl_2;
    static final MethodHandle uc_version;

    static final FunctionDescriptor INTERRUPT_HOOK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS);
    static final FunctionDescriptor OUT_HOOK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    static final FunctionDescriptor IN_HOOK = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
    static final FunctionDescriptor UNMAPPED_HOOK = FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_BOOLEAN,
            ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS);
    static final FunctionDescriptor CODE_HOOK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS);

    static {
        String name = System.getProperty(LIBRARY_PROPERTY, "libunicorn.so.2");
        LIBRARY_NAME = name;
        SymbolLookup lookup = null;
        Throwable failure = null;
        try {
            lookup = SymbolLookup.libraryLookup(name, Arena.global());
        } catch (Throwable t) {
            failure = t;
        }
        LOAD_FAILURE = failure;
        // Short calls that never reach a hook may skip the thread-state transition; never uc_emu_start.
        Linker.Option critical = Linker.Option.critical(false);
        uc_open = find(lookup, "uc_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        uc_close = find(lookup, "uc_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        uc_strerror = find(lookup, "uc_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        uc_mem_map_ptr = find(lookup, "uc_mem_map_ptr",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS));
        uc_mem_unmap = find(lookup, "uc_mem_unmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        uc_mem_protect = find(lookup, "uc_mem_protect",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT));
        uc_mem_read = find(lookup, "uc_mem_read",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
        uc_mem_write = find(lookup, "uc_mem_write",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
        uc_reg_read = find(lookup, "uc_reg_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), critical);
        uc_reg_write = find(lookup, "uc_reg_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), critical);
        uc_emu_start = find(lookup, "uc_emu_start",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        uc_emu_stop = find(lookup, "uc_emu_stop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // uc_hook_add is variadic after `end`; the insn id of UC_HOOK_INSN is the variadic argument.
        uc_hook_add = find(lookup, "uc_hook_add", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG));
        uc_hook_add_insn = find(lookup, "uc_hook_add", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT), Linker.Option.firstVariadicArg(7));
        uc_hook_del = find(lookup, "uc_hook_del", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        uc_ctl_0 = find(lookup, "uc_ctl", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        uc_ctl_2 = find(lookup, "uc_ctl", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(2));
        uc_version = find(lookup, "uc_version", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    private UnicornNative() {
    }

    private static MethodHandle find(SymbolLookup lookup, String symbol, FunctionDescriptor descriptor,
                                     Linker.Option... options) {
        if (lookup == null) {
            return null;
        }
        return lookup.find(symbol)
                .map(address -> LINKER.downcallHandle(address, descriptor, options))
                .orElse(null);
    }

    /** Throws a helpful exception when the library (or one of its symbols) could not be loaded. */
    static void requireAvailable() {
        if (LOAD_FAILURE != null) {
            throw new UnicornUnavailableException(LIBRARY_NAME, DEBIAN_PACKAGE, LOAD_FAILURE);
        }
        if (uc_open == null || uc_emu_start == null || uc_hook_add == null || uc_ctl_0 == null) {
            throw new UnicornUnavailableException(LIBRARY_NAME, DEBIAN_PACKAGE,
                    new IllegalStateException("the library lacks Unicorn 2 symbols (uc_open, uc_ctl, ...)"));
        }
    }

    static MethodHandle upcallTarget(MethodHandles.Lookup lookup, Object receiver, String method,
                                     FunctionDescriptor descriptor) {
        try {
            MethodType type = descriptor.toMethodType();
            return lookup.findVirtual(receiver.getClass(), method, type).bindTo(receiver);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("hook method " + method + " has the wrong shape", e);
        }
    }

    static MemorySegment upcallStub(MethodHandle target, FunctionDescriptor descriptor, Arena arena) {
        return LINKER.upcallStub(target, descriptor, arena);
    }

    static String strerror(int code) {
        try {
            MemorySegment text = (MemorySegment) uc_strerror.invokeExact(code);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "uc_err " + code;
        }
    }
}
