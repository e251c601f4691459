import * as tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { parseRootGrace, VmiCa } from "../../host-sim/vmi-ca.js";
import { followVmiTrust, startVmiTlsServer, type VmiTlsServer } from "../../host-sim/vmi-tls.js";
import { createCsr, exportPrivateKeyPem, generateKeyPair } from "../../src/x509/index.js";
import { runProcess } from "../support/run-process.js";
import { OpensslWorkdir } from "../x509/openssl.js";

interface Client {
  readonly rootPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** An HMC enrolled at the CA's current boot: its certificate and the root it trusts. */
async function enrolNow(ca: VmiCa, subject: string): Promise<Client> {
  const keys = await generateKeyPair("p256");
  const certPem = await ca.sign(await createCsr({ keys, subject }));
  return { rootPem: ca.current!.rootPem, certPem, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/** "greeting" when the VMI let us in, else why not. */
function connect(port: number, client: Client): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ca: [client.rootPem], cert: client.certPem, key: client.keyPem });
    let received = "";
    socket.setEncoding("utf8");
    socket.setTimeout(10_000, () => socket.destroy(new Error("timed out")));
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(`refused: ${error.code ?? error.message}`));
    socket.on("end", () => resolve(received.startsWith("VMI OK") ? "greeting" : "refused: closed without a greeting"));
  });
}

const work = new OpensslWorkdir();
const servers: VmiTlsServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  work.remove();
});

async function vmiWith(grace: string): Promise<{ ca: VmiCa; server: VmiTlsServer; reboot: (n: number) => Promise<void> }> {
  const ca = new VmiCa({ keyKind: "p256", rootGrace: parseRootGrace(grace) });
  const boot = await ca.newRoot(1);
  const server = await startVmiTlsServer({ port: 0, root: { certPem: boot.rootPem }, server: boot.server });
  servers.push(server);
  const follower = followVmiTrust(server, ca);
  follower.update();
  return { ca, server, reboot: async (n) => (await ca.newRoot(n), follower.update()) };
}

describe("VMI root grace", () => {
  it("parses seconds and boots, and refuses anything else", () => {
    expect(parseRootGrace("30")).toEqual({ seconds: 30 });
    expect(parseRootGrace("30s")).toEqual({ seconds: 30 });
    expect(parseRootGrace("1boot")).toEqual({ boots: 1 });
    expect(parseRootGrace("2boots")).toEqual({ boots: 2 });
    for (const bad of ["", "-1", "1m", "boots", "1.5s"]) expect(() => parseRootGrace(bad)).toThrow(RangeError);
  });

  it("without a grace, a reboot cuts the old HMC off at once (both ways)", async () => {
    const { ca, server, reboot } = await vmiWith("0");
    const old = await enrolNow(ca, "CN=hmc-old,O=IBM");
    expect(await connect(server.port, old)).toBe("greeting");
    await reboot(2);
    expect(server.stats.clientRoots).toBe(1);
    expect(await connect(server.port, old)).toMatch(/^refused: /);
    // Even trusting the new root, the old certificate is refused.
    expect(await connect(server.port, { ...old, rootPem: ca.current!.rootPem })).toMatch(/^refused/);
  });

  it("with 1 boot of grace: the previous root's HMC still connects (openssl agrees), the one before it no longer", async () => {
    const { ca, server, reboot } = await vmiWith("1boot");
    const first = await enrolNow(ca, "CN=hmc-first,O=IBM");
    await reboot(2);
    const second = await enrolNow(ca, "CN=hmc-second,O=IBM");
    expect(server.stats.clientRoots).toBe(2);
    expect(await connect(server.port, first)).toBe("greeting");
    expect(await connect(server.port, second)).toBe("greeting");

    // openssl, trusting only the first root, verifies the VMI's new server certificate through the cross certificate.
    work.write("first-root.pem", first.rootPem);
    work.write("first.pem", first.certPem);
    work.write("first.key", first.keyPem);
    const judged = await runProcess("openssl", [
      "s_client",
      "-brief",
      "-ign_eof",
      "-connect",
      `127.0.0.1:${server.port}`,
      "-CAfile",
      work.path("first-root.pem"),
      "-verify_return_error",
      "-verify_ip",
      "127.0.0.1",
      "-cert",
      work.path("first.pem"),
      "-key",
      work.path("first.key"),
    ]);
    expect(judged.stderr).toContain("Verification: OK");
    expect(judged.stdout).toBe("VMI OK CN=hmc-first, O=IBM\n");

    await reboot(3);
    expect(server.stats.clientRoots).toBe(2);
    expect(await connect(server.port, first)).toMatch(/^refused: /);
    expect(await connect(server.port, second)).toBe("greeting");
  });

  it("with seconds of grace: the previous root is dropped when the time is up, not at the next boot", async () => {
    const { ca, server, reboot } = await vmiWith("1s");
    const old = await enrolNow(ca, "CN=hmc-old,O=IBM");
    await reboot(2);
    expect(await connect(server.port, old)).toBe("greeting");
    await new Promise((r) => setTimeout(r, 1200));
    expect(server.stats.clientRoots).toBe(1);
    expect(await connect(server.port, old)).toMatch(/^refused: /);
  });
});
