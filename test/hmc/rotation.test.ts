import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialPaths } from "../../src/hmc/index.js";
import { fingerprintSha256 } from "../../src/x509/index.js";
import { startBridgeStack, type BridgeStack } from "../support/bridge-authority.js";
import { scratchDir } from "../support/openssl.js";
import { runCli } from "../support/run-process.js";

// One boot of grace: the previous root stays honoured until the next reboot, whatever the machine's load.
// (Seconds of grace are tested in test/host-sim/vmi-grace.test.ts.)

let stack: BridgeStack;
let vmi: string;

interface VmiStatus {
  host: string;
  port: number;
  clientRoots: number;
}

async function vmiStatus(): Promise<VmiStatus | null> {
  try {
    return (JSON.parse(readFileSync(join(stack.hostSimStateDir, "host-sim.json"), "utf8")) as { vmiTls: VmiStatus | null }).vmiTls;
  } catch {
    return null;
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, boundMs: number): Promise<T> {
  const until = Date.now() + boundMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: not within ${boundMs} ms`);
    await sleep(100);
  }
}

beforeAll(async () => {
  stack = await startBridgeStack({ hostSimArgs: ["--vmi-tls-port", "0", "--root-grace", "1boot", "--key", "p256"] });
  const status = await waitFor("host-sim VMI port", vmiStatus, 10_000);
  vmi = `${status.host}:${status.port}`;
});
afterAll(async () => stack?.close());

const bmcArgs = () => ["--url", stack.server.url, "--ca-file", stack.server.caPath];
const enrollInto = (out: string) => runCli(["hmc", "enroll", ...bmcArgs(), "--out", out, "--subject", "CN=hmc-rot,O=IBM", "--key", "p256"]);
const renewIn = (dir: string, vmiAddress = vmi) => runCli(["hmc", "renew", ...bmcArgs(), "--dir", dir, "--vmi", vmiAddress]);
const connectWith = (dir: string) => runCli(["hmc", "connect", "--vmi", vmi, "--dir", dir]);
const snapshot = (dir: string) => Object.fromEntries(Object.entries(credentialPaths(dir)).map(([k, p]) => [k, readFileSync(p, "utf8")]));

describe("hmc renew across a VMI reboot with a root grace", () => {
  it("connects during the grace, renews within it, and still connects after it; the old set fails after it", { timeout: 120_000 }, async () => {
    const out = join(scratchDir(), "hmc");
    expect((await enrollInto(out)).code).toBe(0);
    const oldRoot = await fingerprintSha256(readFileSync(credentialPaths(out).rootCert, "utf8"));
    const oldSet = join(scratchDir(), "old");
    cpSync(out, oldSet, { recursive: true });

    const newRootPem = stack.nextRootWritten();
    await stack.power("reboot");
    const newRoot = await fingerprintSha256(await newRootPem);
    await waitFor("the VMI in grace", async () => (await vmiStatus())?.clientRoots === 2, 5000);

    const during = await connectWith(out);
    expect(during.stderr).toBe("");
    expect(during.stdout).toContain("VMI OK CN=hmc-rot, O=IBM");

    const renewed = await renewIn(out);
    expect(renewed.stderr).toBe("");
    expect(renewed.code).toBe(0);
    expect(renewed.stdout).toContain(`VMI root            sha256 ${newRoot} (newly pinned)`);
    expect(renewed.stdout).toContain(`pinned roots        2: ${newRoot} ${oldRoot}`);
    // The old set is kept aside, byte for byte.
    expect(snapshot(join(out, "previous"))).toEqual(snapshot(oldSet));

    // The next reboot ends the first root's grace (the renewed certificate's root is now the one in grace).
    const thirdRoot = stack.nextRootWritten();
    await stack.power("reboot");
    await thirdRoot;
    const after = await connectWith(out);
    expect(after.stdout).toContain("VMI OK CN=hmc-rot, O=IBM");
    expect(after.code).toBe(0);

    const stale = await connectWith(oldSet);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/server-untrusted: .*pinned root/);
    // Trusting the new root does not help the old certificate: the VMI refuses it now.
    cpSync(join(out, "pins.json"), join(oldSet, "pins.json"));
    const refused = await connectWith(oldSet);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused: the VMI refused our client certificate/);
  });

  it("keeps the working credentials untouched when the new certificate cannot be proven", async () => {
    const out = join(scratchDir(), "hmc");
    expect((await enrollInto(out)).code).toBe(0);
    const before = snapshot(out);
    const pins = readFileSync(join(out, "pins.json"), "utf8");
    // The REST front's TLS port: a server the VMI roots do not vouch for.
    const failed = await renewIn(out, new URL(stack.server.url).host);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/did not accept the new certificate \(server-untrusted.*the old credentials are kept/);
    expect(snapshot(out)).toEqual(before);
    expect(readFileSync(join(out, "pins.json"), "utf8")).toBe(pins);
    expect((await connectWith(out)).code).toBe(0);
  });

  it("refuses a tampered pin set, and pins a root only by its fingerprint", async () => {
    const out = join(scratchDir(), "hmc");
    expect((await enrollInto(out)).code).toBe(0);
    const rootPath = credentialPaths(out).rootCert;
    const root = await fingerprintSha256(readFileSync(rootPath, "utf8"));
    const listed = await runCli(["hmc", "pins", "--dir", out]);
    expect(listed.stdout).toMatch(new RegExp(`^${root}  CN=VMI CA boot \\d+`));

    const wrong = await runCli(["hmc", "pins", "--dir", out, "--add", rootPath, "--fingerprint", "00".repeat(32)]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(`has fingerprint ${root}, not the expected`);
    expect(readFileSync(join(out, "pins.json"), "utf8")).toContain(root);

    const pinsFile = join(out, "pins.json");
    const pins = JSON.parse(readFileSync(pinsFile, "utf8")) as { roots: { fingerprint: string }[] };
    pins.roots[0]!.fingerprint = "AB".repeat(32).match(/../g)!.join(":");
    writeFileSync(pinsFile, JSON.stringify(pins));
    const tampered = await connectWith(out);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/credentials: .*pins\.json: the root pinned as AB:AB.* has fingerprint .*refusing the whole pin set/);
  });
});
