package dev.chassis.samples.benchmarks;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A known amount of CPU per request, the same in both servers {@link OverloadBenchServer} starts: SHA-256 over
 * {@code rounds} blocks of 4 KiB, answered as {@code {"digest":"<hex>"}} ({@link Digest}) so the work cannot be
 * optimised away.
 * bench-overload.sh reports what a request costs the server in CPU time (from /proc).
 */
public final class Work {
    private static final byte[] BLOCK = new byte[4096];

    private Work() {
    }

    /**
     * Hashes {@code rounds} blocks.
     *
     * @param rounds how many 4 KiB blocks to hash (about 2 µs each with SHA instructions)
     * @return the last digest
     */
    public static Digest burn(int rounds) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] digest = new byte[32];
        for (int i = 0; i < rounds; i++) {
            sha.update(digest);
            sha.update(BLOCK);
            digest = sha.digest();
        }
        return new Digest(HexFormat.of().formatHex(digest));
    }

    /**
     * What {@code GET /work} answers.
     *
     * @param digest the SHA-256 of the last block, in hex
     */
    public record Digest(String digest) {
    }
}
