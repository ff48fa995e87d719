package dev.chassis.core.internal.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone: X.509 certificates, PKCS#8 private keys ({@code BEGIN PRIVATE KEY}: RSA, EC,
 * Ed25519) and PKCS#1 RSA keys ({@code BEGIN RSA PRIVATE KEY}). Encrypted keys and SEC1 EC keys
 * ({@code BEGIN EC PRIVATE KEY}) are refused with the command that converts them. Errors are
 * {@link IllegalArgumentException}s whose message is the reason, for the caller to put beside the bundle and file.
 * Not API.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final String TO_PKCS8 = "convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem";
    /** The DER of AlgorithmIdentifier { rsaEncryption, NULL }, to wrap a PKCS#1 key into PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Pem() {
    }

    /** The blocks of a PEM text, in order. */
    record Block(String type, byte[] der) {
    }

    static List<Block> blocks(byte[] content) {
        String text = new String(content, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        List<Block> blocks = new ArrayList<>();
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + m.group(1) + " block is not valid base64");
            }
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no PEM block found (expected -----BEGIN ...----- and -----END ...-----"
                    + " lines)");
        }
        return blocks;
    }

    /** The certificates of a PEM file, in order; at least one. */
    static List<X509Certificate> certificates(byte[] content) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(content)) {
                if (!b.type().equals("CERTIFICATE")) {
                    throw new IllegalArgumentException("expected only CERTIFICATE blocks, but found " + b.type());
                }
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("a CERTIFICATE block is not an X.509 certificate (" + e.getMessage() + ")");
        }
        return certificates;
    }

    /** The one private key of a PEM file. */
    static PrivateKey privateKey(byte[] content) {
        List<Block> blocks = blocks(content).stream().filter(b -> b.type().endsWith("PRIVATE KEY")).toList();
        if (blocks.size() != 1) {
            throw new IllegalArgumentException(blocks.isEmpty() ? "no PRIVATE KEY block found"
                    : "expected one private key, but found " + blocks.size());
        }
        Block b = blocks.get(0);
        return switch (b.type()) {
            case "PRIVATE KEY" -> pkcs8(b.der());
            case "RSA PRIVATE KEY" -> pkcs8(wrapPkcs1(b.der()));
            case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("the private key is encrypted, which is"
                    + " not supported in PEM: use a PKCS#12 keystore with a password, or " + TO_PKCS8);
            case "EC PRIVATE KEY" -> throw new IllegalArgumentException("SEC1 EC keys (BEGIN EC PRIVATE KEY) are not"
                    + " supported: " + TO_PKCS8);
            default -> throw new IllegalArgumentException("unsupported key type " + b.type() + ": " + TO_PKCS8);
        };
    }

    private static PrivateKey pkcs8(byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException wrongAlgorithm) {
                // try the next
            } catch (GeneralSecurityException e) {
                // algorithm not available in this JDK
            }
        }
        throw new IllegalArgumentException("the PRIVATE KEY block is not an RSA, EC or EdDSA key in PKCS#8 form");
    }

    /** PKCS#8 PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING pkcs1 }. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = concat(header(0x04, pkcs1.length), pkcs1);
        byte[] body = concat(concat(version, RSA_ALGORITHM), octets);
        return concat(header(0x30, body.length), body);
    }

    private static byte[] header(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        byte[] h = new byte[2 + bytes];
        h[0] = (byte) tag;
        h[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            h[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
        }
        return h;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
