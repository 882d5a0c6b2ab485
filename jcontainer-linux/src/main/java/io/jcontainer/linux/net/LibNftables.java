package io.jcontainer.linux.net;

import io.jcontainer.linux.Settings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * libnftables (Debian's libnftables1) through FFM: the same parser and netlink code as the
 * {@code nft} program, without starting one. A context per script, made and used on the
 * calling thread, so the rules land in that thread's network namespace.
 */
final class LibNftables implements Nftables {
    private final MethodHandle ctxNew, ctxFree, bufferOutput, bufferError, getErrorBuffer, getOutputBuffer, runCmd;

    private LibNftables(SymbolLookup lib) {
        Linker l = Linker.nativeLinker();
        ctxNew = l.downcallHandle(lib.find("nft_ctx_new").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        ctxFree = l.downcallHandle(lib.find("nft_ctx_free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
        bufferOutput = l.downcallHandle(lib.find("nft_ctx_buffer_output").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        bufferError = l.downcallHandle(lib.find("nft_ctx_buffer_error").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getErrorBuffer = l.downcallHandle(lib.find("nft_ctx_get_error_buffer").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS));
        getOutputBuffer = l.downcallHandle(lib.find("nft_ctx_get_output_buffer").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS));
        runCmd = l.downcallHandle(lib.find("nft_run_cmd_from_buffer").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /** The library, or null when it is not installed. */
    static LibNftables load() {
        if (Settings.nftProgramOnly()) return null;
        for (String name : new String[]{"libnftables.so.1", "libnftables.so"}) {
            try {
                return new LibNftables(SymbolLookup.libraryLookup(name, Arena.global()));
            } catch (IllegalArgumentException | java.util.NoSuchElementException notThere) {
                // try the next name
            }
        }
        return null;
    }

    @Override
    public String run(String script) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = (MemorySegment) ctxNew.invokeExact(0 /* NFT_CTX_DEFAULT */);
            if (ctx.equals(MemorySegment.NULL)) throw new NetworkException("nftables: nft_ctx_new failed");
            try {
                int ignored = (int) bufferOutput.invokeExact(ctx);
                ignored = (int) bufferError.invokeExact(ctx);
                int r = (int) runCmd.invokeExact(ctx, a.allocateFrom(script));
                if (r != 0) {
                    MemorySegment err = (MemorySegment) getErrorBuffer.invokeExact(ctx);
                    String text = err.equals(MemorySegment.NULL) ? "" : err.reinterpret(1 << 20).getString(0);
                    throw new NetworkException("nftables refused jcontainer's table: " + text.strip() + "\n--- script ---\n" + script);
                }
                MemorySegment out = (MemorySegment) getOutputBuffer.invokeExact(ctx);
                return out.equals(MemorySegment.NULL) ? "" : out.reinterpret(1 << 24).getString(0);
            } finally {
                ctxFree.invokeExact(ctx);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
