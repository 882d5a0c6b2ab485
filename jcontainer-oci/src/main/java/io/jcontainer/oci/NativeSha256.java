package io.jcontainer.oci;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.security.MessageDigest;

/**
 * SHA-256 through OpenSSL's libcrypto ({@code libcrypto.so.3}, Debian's {@code libssl3}) by FFM,
 * for the digests a pull computes while it streams (the blob's, and the layer tar's diff id: ~4
 * bytes hashed per byte downloaded). The JDK's SHA-256 is fast only once C2 has compiled it with
 * its SHA-NI intrinsic; until then, and always under C1 alone (the CLI's
 * {@code -XX:TieredStopAtLevel=1}), it runs as compiled Java: 300 MB took 2.75 s of CPU under
 * C1 against 0.57 s under C2 here, and libcrypto's assembly (SHA-NI where the CPU has it) needs
 * no warm-up at all. {@link #supported()} is false when the library is missing (or
 * {@code -Djcontainer.sha256=jdk}); {@link Digest#newMessageDigest()} then gives the JDK's.
 *
 * <p>The low-level {@code SHA256_Init/Update/Final} functions are deprecated in OpenSSL 3 but
 * exported by every 3.x (and 1.1) libcrypto; their context, {@code SHA256_CTX}, is 112 bytes —
 * 128 are allocated. Bytes are hashed where they are, in the caller's array (a critical call with
 * heap access, at most 64 KiB at a time so that a GC waits no longer than that).
 */
final class NativeSha256 extends MessageDigest {
    private static final long CTX_SIZE = 128;
    private static final int CHUNK = 1 << 16;

    private static final MethodHandle INIT;
    private static final MethodHandle UPDATE;
    private static final MethodHandle FINAL;

    static {
        MethodHandle init = null, update = null, fin = null;
        if (!"jdk".equals(System.getProperty("jcontainer.sha256"))) {
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
                Linker linker = Linker.nativeLinker();
                init = linker.downcallHandle(lib.find("SHA256_Init").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
                update = linker.downcallHandle(lib.find("SHA256_Update").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                        // short (≤ 64 KiB a call), never blocks, no upcalls: it reads the caller's byte[] in place
                        Linker.Option.critical(true));
                fin = linker.downcallHandle(lib.find("SHA256_Final").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            } catch (IllegalArgumentException | IllegalCallerException | java.util.NoSuchElementException missing) {
                init = update = fin = null;                 // no libcrypto.so.3 (or native access refused): the JDK's
            }
        }
        INIT = init;
        UPDATE = update;
        FINAL = fin;
    }

    static boolean supported() {
        return FINAL != null;
    }

    /** Freed with this digest (digests are made per blob and per layer, a few per pull). */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment ctx = arena.allocate(CTX_SIZE, 16);
    private final MemorySegment out = arena.allocate(32, 16);

    NativeSha256() {
        super("SHA-256");
        engineReset();
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[] {input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        while (len > 0) {
            int n = Math.min(len, CHUNK);
            try {
                int ok = (int) UPDATE.invokeExact(ctx, MemorySegment.ofArray(input).asSlice(offset, n), (long) n);
                if (ok != 1) throw new IllegalStateException("SHA256_Update failed");
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("SHA256_Update failed: " + t, t);
            }
            offset += n;
            len -= n;
        }
    }

    @Override
    protected byte[] engineDigest() {
        try {
            if ((int) FINAL.invokeExact(out, ctx) != 1) throw new IllegalStateException("SHA256_Final failed");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("SHA256_Final failed: " + t, t);
        }
        byte[] digest = out.toArray(ValueLayout.JAVA_BYTE);
        engineReset();                                      // MessageDigest: digest() resets
        return digest;
    }

    @Override
    protected void engineReset() {
        try {
            if ((int) INIT.invokeExact(ctx) != 1) throw new IllegalStateException("SHA256_Init failed");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("SHA256_Init failed: " + t, t);
        }
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }
}
