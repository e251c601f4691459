import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVmiTlsServer, type VmiServerCredentials, type VmiTlsServer } from "../../host-sim/vmi-tls.js";
import {
  createCsr,
  createRootCa,
  exportPrivateKeyPem,
  generateKeyPair,
  issueClientCertificate,
  issueServerCertificate,
  parseCsr,
  type CertificateAuthority,
} from "../../src/x509/index.js";
import { runProcess } from "../support/run-process.js";
import { OPENSSL_RSA2048, OpensslWorkdir } from "../x509/openssl.js";

interface ClientCredentials {
  readonly certPem: string;
  readonly keyPem: string;
}

interface Vmi {
  readonly ca: CertificateAuthority;
  readonly server: VmiServerCredentials;
}

/** A VMI boot: a new root and a server certificate from it for 127.0.0.1. */
async function bootVmi(name: string): Promise<Vmi> {
  const keys = await generateKeyPair("p256");
  const ca = { cert: await createRootCa({ keys, subject: `CN=${name},O=IBM`, validityDays: 30 }), keys };
  const serverKeys = await generateKeyPair("p256");
  const certPem = await issueServerCertificate({ ca, keys: serverKeys, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 30 });
  return { ca, server: { certPem, keyPem: await exportPrivateKeyPem(serverKeys.privateKey) } };
}

async function enrol(ca: CertificateAuthority, subject: string): Promise<ClientCredentials> {
  const keys = await generateKeyPair("rsa2048");
  const csr = await parseCsr(await createCsr({ keys, subject }));
  return { certPem: await issueClientCertificate({ ca, csr, validityDays: 7 }), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

type Outcome = { readonly greeting: string } | { readonly refused: string };

/** Connects as the HMC would, trusting `rootPem` for the server, and reads until the VMI closes. */
function connect(port: number, rootPem: string, client?: ClientCredentials): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ca: [rootPem], cert: client?.certPem, key: client?.keyPem });
    let received = "";
    socket.setEncoding("utf8");
    socket.setTimeout(10_000, () => socket.destroy(new Error("timed out")));
    socket.on("data", (chunk: string) => (received += chunk));
    // Under TLS 1.3 the client finishes its side first, so a refusal arrives as an alert afterwards.
    socket.on("error", (error) => resolve({ refused: error.message }));
    socket.on("end", () => resolve(received === "" ? { refused: "closed without a greeting" } : { greeting: received }));
  });
}

/** stdin ends at once; -ign_eof keeps s_client reading until the VMI closes after its greeting. */
const runSClient = (args: readonly string[]) => runProcess("openssl", ["s_client", "-brief", "-ign_eof", ...args]);

const work = new OpensslWorkdir();
let vmi: Vmi;
let stranger: Vmi;
let server: VmiTlsServer;
let hmc: ClientCredentials;

beforeAll(async () => {
  [vmi, stranger] = await Promise.all([bootVmi("VMI CA"), bootVmi("VMI CA")]);
  hmc = await enrol(vmi.ca, "CN=hmc-1,O=IBM");
  server = await startVmiTlsServer({ host: "127.0.0.1", port: 0, root: { certPem: vmi.ca.cert }, server: vmi.server });
});

afterAll(async () => {
  await server?.close();
  work.remove();
});

describe("VMI mutual-TLS endpoint", () => {
  it("greets a client whose certificate the VMI root issued, naming its subject", async () => {
    const before = server.stats.accepted;
    expect(await connect(server.port, vmi.ca.cert, hmc)).toEqual({ greeting: "VMI OK CN=hmc-1, O=IBM\n" });
    expect(server.stats.accepted).toBe(before + 1);
  });

  it("refuses at the handshake a client certificate from another root, even one with the same name", async () => {
    const before = server.stats;
    const intruder = await enrol(stranger.ca, "CN=hmc-1,O=IBM");
    const outcome = await connect(server.port, vmi.ca.cert, intruder);
    expect(outcome).toHaveProperty("refused");
    expect(server.stats).toEqual({ accepted: before.accepted, rejected: before.rejected + 1, clientRoots: 1 });
  });

  it("refuses at the handshake a client without a certificate", async () => {
    const before = server.stats;
    const outcome = await connect(server.port, vmi.ca.cert);
    expect(outcome).toEqual({ refused: expect.stringMatching(/alert certificate required/) });
    expect(server.stats).toEqual({ accepted: before.accepted, rejected: before.rejected + 1, clientRoots: 1 });
  });

  it("openssl s_client with a key and CSR made by openssl, signed by the VMI, gets in and verifies the VMI", async () => {
    const { csrPem } = work.makeCsr("hmc-openssl", OPENSSL_RSA2048, "/CN=hmc-openssl/O=IBM");
    work.write("hmc-openssl.pem", await issueClientCertificate({ ca: vmi.ca, csr: await parseCsr(csrPem), validityDays: 7 }));
    work.write("root.pem", vmi.ca.cert);
    const common = ["-connect", `127.0.0.1:${server.port}`, "-CAfile", work.path("root.pem"), "-verify_return_error", "-verify_ip", "127.0.0.1"];
    const result = await runSClient([...common, "-cert", work.path("hmc-openssl.pem"), "-key", work.path("hmc-openssl.key")]);
    expect(result.stderr).toContain("Verification: OK");
    expect(result.stdout).toBe("VMI OK CN=hmc-openssl, O=IBM\n");
    expect(result.code).toBe(0);

    const withoutCert = await runSClient(common);
    expect(withoutCert.stdout).not.toContain("VMI OK");
    expect(withoutCert.stderr).toContain("alert certificate required");
    expect(withoutCert.code).not.toBe(0);

    const stolenName = await enrol(stranger.ca, "CN=hmc-openssl,O=IBM");
    work.write("intruder.pem", stolenName.certPem);
    work.write("intruder.key", stolenName.keyPem);
    const intruder = await runSClient([...common, "-cert", work.path("intruder.pem"), "-key", work.path("intruder.key")]);
    // s_client completes its TLS 1.3 side before the VMI judges the certificate; the VMI then closes.
    expect(intruder.stderr).toContain("CONNECTION ESTABLISHED");
    expect(intruder.stdout).toBe("");
  });

  it("after updateCredentials trusts only the new root and presents the new server certificate", async () => {
    const reboot = await bootVmi("VMI CA after reboot");
    const afterReboot = await enrol(reboot.ca, "CN=hmc-2,O=IBM");
    server.updateCredentials({ certPem: reboot.ca.cert }, reboot.server);
    try {
      expect(await connect(server.port, reboot.ca.cert, afterReboot)).toEqual({ greeting: "VMI OK CN=hmc-2, O=IBM\n" });
      // The old HMC certificate no longer chains to the VMI's root...
      expect(await connect(server.port, reboot.ca.cert, hmc)).toHaveProperty("refused");
      // ...and a client still trusting the old root does not accept the new server certificate.
      const staleTrust = await connect(server.port, vmi.ca.cert, afterReboot);
      expect(staleTrust).toHaveProperty("refused");
      expect((staleTrust as { refused: string }).refused).toMatch(/certificate/i);
    } finally {
      server.updateCredentials({ certPem: vmi.ca.cert }, vmi.server);
    }
    expect(() => server.updateCredentials({ certPem: vmi.ca.cert }, { certPem: vmi.server.certPem, keyPem: "not a key" })).toThrow();
    expect(await connect(server.port, vmi.ca.cert, hmc)).toEqual({ greeting: "VMI OK CN=hmc-1, O=IBM\n" });
  });

  it("close() stops the endpoint", async () => {
    const other = await startVmiTlsServer({ port: 0, root: { certPem: vmi.ca.cert }, server: vmi.server });
    expect(await connect(other.port, vmi.ca.cert, hmc)).toHaveProperty("greeting");
    await other.close();
    const outcome = await connect(other.port, vmi.ca.cert, hmc);
    expect(outcome).toHaveProperty("refused");
    expect((outcome as { refused: string }).refused).toMatch(/ECONNREFUSED/);
  });
});
