// The CA and server certificate: their serial numbers are always minimal positive DER integers.
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCertificates, serialNumber } from "../../src/emulator/certs.js";

describe("emulator certificates", () => {
  it("serial numbers are 16 bytes, positive, with no leading zero byte", () => {
    for (let i = 0; i < 2000; i++) {
      const serial = serialNumber();
      expect(serial).toMatch(/^[4-7][0-9a-f]{31}$/);
    }
  });

  it("OpenSSL parses what forge writes", async () => {
    const { caPem, certPem } = await createCertificates();
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
  });
});
