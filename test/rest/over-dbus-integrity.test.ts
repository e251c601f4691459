/**
 * The REST front as a process on a real bus, with the daemon stopped so the test itself
 * plays every writer of the CA manager's entries (busctl), good and hostile: a certificate
 * for another key, junk, two certificates, an entry deleted while Pending, a CA manager
 * killed or restarted (reusing entry/1) under waiting requests.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaEntryIface, CaManager, EntryState } from "../../src/dbus/names.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { busctl, eventually } from "../support/dbus.js";
import { opensslCsr, scratchDir } from "../support/openssl.js";
import { startStack } from "../support/local-stack.js";
import { curl, type CurlResponse } from "./curl.js";

const SIGN_WAIT_MS = 20_000;
/** "At once": well inside the sign wait, whatever the machine's load. */
const AT_ONCE_MS = SIGN_WAIT_MS / 2;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startStack({ restPort: 0, restArgs: ["--sign-timeout", String(SIGN_WAIT_MS)], persistCaEntries: false, supervise: false });
  // Nobody signs: the test writes the entries.
  await stack.stopPart("daemon");
}, 60_000);
afterAll(async () => stack?.stop());

interface Hmc {
  csrPem: string;
  keyPath: string;
  csrPath: string;
  dir: string;
}

function hmc(cn: string): Hmc {
  const dir = scratchDir();
  return { ...opensslCsr(dir, cn, "ec"), dir };
}

/** A certificate for the CSR's own key (self-signed by it): bound to that CSR. */
function certificateFor(h: Hmc): string {
  return execFileSync("openssl", ["x509", "-req", "-in", h.csrPath, "-signkey", h.keyPath, "-days", "2"], { stdio: "pipe" }).toString();
}

async function entryPaths(): Promise<string[]> {
  const r = await busctl(stack.bus, "--json=short", "call", CaManager.service, CaManager.path, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects");
  if (r.code !== 0) return [];
  return Object.keys((JSON.parse(r.stdout) as { data: [Record<string, unknown>] }).data[0]);
}

/** Posts the CSR and waits until the entry it made is on the bus; `answer` settles later. */
async function submit(h: Hmc): Promise<{ path: string; answer: Promise<CurlResponse & { ms: number }> }> {
  const before = new Set(await entryPaths());
  const t0 = Date.now();
  const answer = curl(`${stack.rest!.url}/ibm/v1/Host/Actions/SignCSR`, {
    cacert: stack.rest!.caPath,
    basic: ["root", "0penBmc"],
    body: JSON.stringify({ CsrString: h.csrPem }),
  }).then((r) => ({ ...r, ms: Date.now() - t0 }));
  const path = await eventually(async () => (await entryPaths()).find((p) => !before.has(p)), 10_000, "the request's entry");
  return { path, answer };
}

async function complete(path: string, certificate: string): Promise<void> {
  const set = (prop: string, value: string) => busctl(stack.bus, "set-property", "--", CaManager.service, path, CaEntryIface.entry, prop, "s", value);
  expect((await set("ClientCertificate", certificate)).code).toBe(0);
  expect((await set("Status", EntryState.Complete)).code).toBe(0);
}

const restLog = () => readFileSync(join(stack.opts.stateDir, "logs", "rest.log"), "utf8");

describe("SignCSR hands out only a certificate bound to the request's CSR", () => {
  it("answers 200 with the certificate for the CSR's key", async () => {
    const a = hmc("bound");
    const { path, answer } = await submit(a);
    const cert = certificateFor(a);
    await complete(path, cert);
    const r = await answer;
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ Certificate: cert });
  });

  const hostile: [string, (mine: string, other: string) => string][] = [
    ["another HMC's certificate", (_mine, other) => other],
    ["text that is not a certificate", () => "this is not a certificate"],
    ["its own certificate followed by another", (mine, other) => mine + other],
    ["its own certificate wrapped in text", (mine) => `Certificate:\n    Data: ...\n${mine}trailer\n`],
    ["a CSR instead of a certificate", () => hmc("csr-not-cert").csrPem],
  ];
  for (const [what, make] of hostile) {
    it(`answers 500 and logs it when the entry is completed with ${what}`, async () => {
      const a = hmc("victim");
      const { path, answer } = await submit(a);
      await complete(path, make(certificateFor(a), certificateFor(hmc("intruder"))));
      const r = await answer;
      expect(r.status).toBe(500);
      expect(r.json()).toEqual({ Description: "Internal Server Error" });
      expect(r.body).not.toContain("BEGIN CERTIFICATE");
      await eventually(() => (restLog().includes("not bound to this request's CSR") ? true : undefined), 5000, "the refusal in the log");
    });
  }
});

describe("each request waits on its own entry of its own CA manager", () => {
  it("answers at once when its entry is deleted while Pending", async () => {
    const { path, answer } = await submit(hmc("deleted"));
    expect((await busctl(stack.bus, "call", CaManager.service, path, CaEntryIface.delete, "Delete")).code).toBe(0);
    const r = await answer;
    expect(r.status).toBe(500);
    expect(r.json()).toEqual({ Description: "Failed to get request status" });
    expect(r.ms).toBeLessThan(AT_ONCE_MS);
  });

  it("fails every waiting request at once with 503 and Retry-After when the CA manager is killed", async () => {
    const waiting = [];
    for (const cn of ["k1", "k2", "k3"]) waiting.push((await submit(hmc(cn))).answer);
    await stack.stopPart("ca-manager", "SIGKILL");
    const answers = await Promise.all(waiting);
    await stack.startPart("ca-manager");
    for (const r of answers) {
      expect(r.status).toBe(503);
      expect(r.headers["retry-after"]).toBe("60");
      expect(r.json<{ Description: string }>().Description).toMatch(/not available/);
      expect(r.ms).toBeLessThan(AT_ONCE_MS);
    }
  });

  it("never gives a request the certificate written for an earlier request's reused entry path", async () => {
    const a = hmc("hmc-A");
    const first = await submit(a);
    // The manager restarts and forgets its numbering: A fails at once, B gets the same path.
    await stack.stopPart("ca-manager", "SIGKILL");
    await stack.startPart("ca-manager");
    expect((await first.answer).status).toBe(503);
    const b = hmc("hmc-B");
    const second = await submit(b);
    expect(second.path).toBe(first.path);
    // The host's late answer for A lands in B's entry.
    await complete(second.path, certificateFor(a));
    const r = await second.answer;
    expect(r.status).toBe(500);
    expect(r.body).not.toContain("BEGIN CERTIFICATE");
    // B retries and gets its own.
    const retry = await submit(b);
    const own = certificateFor(b);
    await complete(retry.path, own);
    expect((await retry.answer).json()).toEqual({ Certificate: own });
  }, 60_000);
});
