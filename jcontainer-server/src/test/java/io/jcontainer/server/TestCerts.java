package io.jcontainer.server;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A throw-away CA with a server certificate (127.0.0.1, localhost) and a client certificate, as
 * docker's PEM files: ca.pem, server-cert.pem, server-key.pem, cert.pem, key.pem (the client's,
 * named as DOCKER_CERT_PATH wants them). Keys are PKCS#8.
 */
final class TestCerts {
    final Path ca, serverCert, serverKey, clientCert, clientKey;

    private TestCerts(Path dir) {
        ca = dir.resolve("ca.pem");
        serverCert = dir.resolve("server-cert.pem");
        serverKey = dir.resolve("server-key.pem");
        clientCert = dir.resolve("cert.pem");
        clientKey = dir.resolve("key.pem");
    }

    static TestCerts make(Path dir) throws Exception {
        TestCerts t = new TestCerts(Files.createDirectories(dir));
        KeyPair caKey = rsa();
        X500Name caName = new X500Name("CN=jcontainer test CA");
        X509CertificateHolder caCert = sign(caName, caKey, caName, caKey, 1, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
        KeyPair serverKey = rsa();
        X509CertificateHolder server = sign(caName, caKey, new X500Name("CN=localhost"), serverKey, 2, b -> {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        });
        KeyPair clientKey = rsa();
        X509CertificateHolder client = sign(caName, caKey, new X500Name("CN=client"), clientKey, 3, b ->
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
        Files.writeString(t.ca, pem(caCert));
        Files.writeString(t.serverCert, pem(server));
        Files.writeString(t.serverKey, pem(new JcaPKCS8Generator(serverKey.getPrivate(), null).generate()));
        Files.writeString(t.clientCert, pem(client));
        Files.writeString(t.clientKey, pem(new JcaPKCS8Generator(clientKey.getPrivate(), null).generate()));
        return t;
    }

    private interface Ext {
        void add(JcaX509v3CertificateBuilder b) throws Exception;
    }

    private static X509CertificateHolder sign(X500Name issuer, KeyPair issuerKey, X500Name subject, KeyPair subjectKey, long serial, Ext ext)
            throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serial),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, subjectKey.getPublic());
        ext.add(b);
        return b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey.getPrivate()));
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static String pem(Object o) throws Exception {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }
}
