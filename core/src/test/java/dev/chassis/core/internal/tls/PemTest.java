package dev.chassis.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class PemTest {

    private static byte[] pem(String type, byte[] der) {
        return ("-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type
                + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void readsPkcs8RsaAndEcKeys() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            PrivateKey key = KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPrivate();
            PrivateKey read = Pem.privateKey(pem("PRIVATE KEY", key.getEncoded()));
            assertThat(read.getAlgorithm()).isEqualTo(key.getAlgorithm());
            assertThat(read.getEncoded()).isEqualTo(key.getEncoded());
        }
    }

    @Test
    void readsPkcs1RsaKeys() throws Exception {
        PrivateKey key = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        // PKCS#8 of RSA ends with the PKCS#1 key as its OCTET STRING: the last bytes after the 26-byte header
        byte[] pkcs8 = key.getEncoded();
        byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        assertThat(Pem.privateKey(pem("RSA PRIVATE KEY", pkcs1)).getEncoded()).isEqualTo(pkcs8);
    }

    @Test
    void refusesWhatItCannotReadWithTheFix() {
        assertThatThrownBy(() -> Pem.privateKey(pem("EC PRIVATE KEY", new byte[] {1, 2})))
                .hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> Pem.privateKey(pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2})))
                .hasMessageContaining("encrypted").hasMessageContaining("PKCS#12");
        assertThatThrownBy(() -> Pem.privateKey("garbage".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageContaining("no PEM block");
        assertThatThrownBy(() -> Pem.privateKey(pem("PRIVATE KEY", new byte[] {0x30, 0x03, 1, 2, 3})))
                .hasMessageContaining("not an RSA, EC or EdDSA key");
        assertThatThrownBy(() -> Pem.certificates(pem("CERTIFICATE", new byte[] {0x30, 0x03, 1, 2, 3})))
                .hasMessageContaining("not an X.509 certificate");
        assertThatThrownBy(() -> Pem.certificates(pem("PRIVATE KEY", new byte[] {1})))
                .hasMessageContaining("expected only CERTIFICATE blocks");
    }
}
