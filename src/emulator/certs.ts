import { generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type * as Forge from "node-forge";
// node-forge is CommonJS without named ESM exports: its default export is the whole module
// (its types declare none).
import * as forgeModule from "node-forge";

const forge = (forgeModule as unknown as { default: typeof Forge }).default;

export interface Certificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const generateRsa = promisify(generateKeyPair);

async function newKeyPair(): Promise<Forge.pki.rsa.KeyPair> {
  const { privateKey } = await generateRsa("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as Forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.rsa.setPublicKey(key.n, key.e) };
}

/**
 * A 16-byte positive serial in minimal DER form. forge writes the hex as given, so a leading 0x00
 * before a byte below 0x80 would be non-minimal and OpenSSL 3 rejects the certificate
 * ("asn1 encoding routines::illegal padding"): the first byte is kept in 0x40-0x7f instead.
 */
export function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString("hex");
}

function validity(cert: Forge.pki.Certificate): void {
  const from = new Date(Date.now() - 24 * 3600 * 1000);
  const to = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  cert.validity.notBefore = from;
  cert.validity.notAfter = to;
}

export async function createCertificates(): Promise<Certificates> {
  const [caKeys, serverKeys] = await Promise.all([newKeyPair(), newKeyPair()]);

  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serialNumber();
  validity(ca);
  const caSubject = [{ name: "commonName", value: "miauth emulator CA" }];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const cert = forge.pki.createCertificate();
  cert.publicKey = serverKeys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert);
  cert.setSubject([{ name: "commonName", value: "localhost" }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 7, ip: "127.0.0.1" },
        { type: 2, value: "localhost" },
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
  };
}
