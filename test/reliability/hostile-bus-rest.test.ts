/**
 * Case 5, at the D-Bus and REST edges of the whole stack: CSRs the CA manager must refuse
 * (InvalidArgument), a malformed one the host refuses (BadCSR), InterfacesAdded spoofed by
 * another connection (nothing announced), and bad REST bodies (400), while real requests
 * through the same stack keep completing.
 */
import { describe, expect, it } from "vitest";
import { DbusError, Errors } from "../../src/dbus/exported-object.js";
import { CaManager, EntryState } from "../../src/dbus/names.js";
import { SIGN_CSR_PATH } from "../../src/rest/index.js";
import { curl } from "../rest/curl.js";
import { CaClient } from "../support/ca-client.js";
import { busctl, dbusSend, eventually } from "../support/dbus.js";
import { makeCsr } from "../support/sim-pair.js";
import { hostBridgeProperty, startStack, waitForRoot } from "../support/local-stack.js";
import { recordFigures, scale } from "./scale.js";
import { expectAllCompleteOnce, stackPerTest } from "./stack-checks.js";

const held = stackPerTest();

describe("hostile input at the D-Bus and REST edges", () => {
  it("answers each with its defined error while real requests complete", async () => {
    const s = (held.stack = await startStack({ restPort: 0, hostSimArgs: ["--key", "p256"], logLevel: "warn" }));
    await waitForRoot(s);
    const c = (held.client = await CaClient.connect(s.busAddress));

    // Spoofed InterfacesAdded first, so Announces still counts only what we send afterwards.
    const spoofs = 20;
    for (let i = 0; i < spoofs; i++) {
      const r = await dbusSend(
        s.bus,
        "--type=signal",
        CaManager.path,
        "org.freedesktop.DBus.ObjectManager.InterfacesAdded",
        `objpath:${CaManager.entryPathPrefix}${900 + i}`,
        "dict:string:string:xyz.openbmc_project.PLDM.Provider.Certs.Authority.CSR,x",
      );
      expect(r.code).toBe(0);
    }
    await eventually(async () => ((await hostBridgeProperty(s, "SpoofedSignals")) === String(spoofs) ? true : undefined), 10_000, "spoofs counted");
    expect(await hostBridgeProperty(s, "Announces")).toBe("0");
    expect(await hostBridgeProperty(s, "Pending")).toBe("0");

    // Real requests in flight during the rest.
    const csrOf = new Map<string, string>();
    const real = (async () => {
      for (let i = 0; i < scale.hostileRequests; i++) {
        const csr = await makeCsr(`edge-${i}`);
        csrOf.set(await c.signCsr(csr), csr);
      }
    })();

    // busctl as an operator would, and our client to read the D-Bus error name.
    const tooBig = `-----BEGIN CERTIFICATE REQUEST-----\n${"A".repeat(5000)}\n-----END CERTIFICATE REQUEST-----\n`;
    const refusals: Record<string, string> = {};
    for (const [name, csr] of Object.entries({ empty: "", huge: tooBig })) {
      const r = await busctl(s.bus, "call", CaManager.service, CaManager.path, CaManager.authority, "SignCSR", "s", "--", csr);
      expect(r.code).not.toBe(0);
      const err = (await c.signCsr(csr).catch((e: unknown) => e)) as DbusError;
      expect(err.errorName).toBe(Errors.invalidArgument);
      refusals[name] = `${err.errorName}: ${firstLine(r.stderr)}`;
    }
    const malformedPath = await c.signCsr("this is not a CSR");

    const admin = { cacert: s.rest!.caPath, basic: ["root", "0penBmc"] as const };
    const url = `${s.rest!.url}${SIGN_CSR_PATH}`;
    const bodies: Record<string, string> = {
      notJson: "{CsrString:",
      noField: "{}",
      emptyCsr: '{"CsrString":""}',
      numberCsr: '{"CsrString":5}',
      array: "[]",
      garbageCsr: '{"CsrString":"not a CSR at all"}',
    };
    const rest: Record<string, number> = {};
    for (const [name, body] of Object.entries(bodies)) rest[name] = (await curl(url, { ...admin, body })).status;
    // bmcweb: body errors are 400; an empty or undecodable CSR is 500 (docs/rest.md).
    expect(rest).toEqual({ notJson: 400, noField: 400, emptyCsr: 500, numberCsr: 400, array: 400, garbageCsr: 500 });

    await real;
    await c.waitAllFinal([...csrOf.keys(), malformedPath], 120_000);
    expect((await c.read(malformedPath)).status).toBe(EntryState.BadCSR);
    const { duplicates } = await expectAllCompleteOnce(c, csrOf);
    const spoofedAfter = await hostBridgeProperty(s, "SpoofedSignals");
    recordFigures("hostile-bus-rest", {
      spoofedSignals: Number(spoofedAfter),
      announcesAfterSpoofs: 0,
      signCsrRefusals: refusals,
      malformedCsrEntry: "BadCSR",
      restStatuses: rest,
      realRequests: csrOf.size,
      duplicates,
    });
  }, 300_000);
});

const firstLine = (text: string) => text.trim().split("\n")[0] ?? "";
