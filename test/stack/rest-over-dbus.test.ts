/**
 * The REST front as deployed: its own process talking D-Bus to the CA manager, the
 * daemon carrying the CSR to host-sim, host power on D-Bus. curl and openssl are the clients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostState } from "../../src/dbus/names.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { busctl, eventually } from "../support/dbus.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";
import { startStack, waitForRoot } from "../support/local-stack.js";
import { curl, type CurlRequest } from "../rest/curl.js";

let stack: LocalStack;
let admin: CurlRequest;
const SIGN_WAIT_MS = 2000;

beforeAll(async () => {
  stack = await startStack({ restPort: 0, restArgs: ["--sign-timeout", String(SIGN_WAIT_MS)], daemonArgs: ["--response-timeout", "300", "--retries", "1"] });
  admin = { cacert: stack.rest!.caPath, basic: ["root", "0penBmc"] };
  await waitForRoot(stack);
});
afterAll(async () => stack?.stop());

const post = (csrPem: string) => curl(`${stack.rest!.url}/ibm/v1/Host/Actions/SignCSR`, { ...admin, body: JSON.stringify({ CsrString: csrPem }) });
const managedEntries = async () =>
  (
    await busctl(
      stack.bus,
      "call",
      "xyz.openbmc_project.Certs.ca.authority.Manager",
      "/xyz/openbmc_project/certs/ca",
      "org.freedesktop.DBus.ObjectManager",
      "GetManagedObjects",
    )
  ).stdout.trim();
const setTransition = (t: string) => busctl(stack.bus, "set-property", HostState.service, HostState.path, HostState.iface, "RequestedHostTransition", "s", t);
const hostState = async () => (await busctl(stack.bus, "get-property", HostState.service, HostState.path, HostState.iface, "CurrentHostState")).stdout.trim();

describe("REST over D-Bus, daemon and host-sim", () => {
  it("signs four CSRs posted in parallel by curl, each with its own key, and deletes every entry", async () => {
    const dir = scratchDir();
    const csrs = Array.from({ length: 4 }, (_, i) => opensslCsr(dir, `par-${i}`, "ec").csrPem);
    const answers = await Promise.all(csrs.map(post));
    const root = (await curl(`${stack.rest!.url}/ibm/v1/Host/Certificate/root`, admin)).json<{ Certificate: string }>().Certificate;
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      const cert = a.json<{ Certificate: string }>().Certificate;
      expect(publicKeyOf("x509", cert)).toBe(publicKeyOf("req", csrs[i]!));
      expect(opensslVerify(dir, root, cert)).toMatch(/: OK$/);
    });
    await eventually(async () => ((await managedEntries()) === "a{oa{sa{sv}}} 0" ? true : undefined), 5000, "entries deleted");
  });

  it("answers 400 Bad CSR when the host refuses a CSR with a broken signature", async () => {
    const { csrPem } = opensslCsr(scratchDir(), "forged");
    const lines = csrPem.trim().split("\n");
    const i = lines.length - 3;
    lines[i] = lines[i]!.slice(0, 10) + (lines[i]![10] === "A" ? "B" : "A") + lines[i]!.slice(11);
    const answer = await post(`${lines.join("\n")}\n`);
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual({ Description: "Bad CSR" });
  });

  it("powers the host off through RequestedHostTransition: 503 with Retry-After, root still served; on again signs", async () => {
    expect((await setTransition(HostState.transition.Off)).code).toBe(0);
    await eventually(async () => ((await hostState()).endsWith('HostState.Off"') ? true : undefined), 10_000, "host Off");
    const { csrPem } = opensslCsr(scratchDir(), "while-off");
    const t0 = Date.now();
    const off = await post(csrPem);
    expect(off.status).toBe(503);
    expect(off.headers["retry-after"]).toBe("60");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(SIGN_WAIT_MS - 50);
    expect((await curl(`${stack.rest!.url}/ibm/v1/Host/Certificate/root`, admin)).status).toBe(200);
    expect((await setTransition(HostState.transition.On)).code).toBe(0);
    await eventually(async () => ((await hostState()).endsWith('HostState.Running"') ? true : undefined), 10_000, "host Running");
    await eventually(async () => ((await post(csrPem)).status === 200 ? true : undefined), 15_000, "a 200 after power on");
    expect((await setTransition("Sideways")).code).not.toBe(0);
  }, 60_000);
});
