/** End-to-end helpers over a LocalStack: SignCSR with busctl, wait for an entry's Status. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EntryState } from "../../src/dbus/names.js";
import { afterEach } from "vitest";
import { LocalStack, type LocalStackOptions } from "../../src/stack/local-stack.js";
import type { CaClient } from "./ca-client.js";
import { busctl, eventually } from "./dbus.js";

const M = "xyz.openbmc_project.Certs.ca.authority.Manager";

export async function startStack(opts: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
  return LocalStack.start({ stateDir: mkdtempSync(join(tmpdir(), "hb-stack-")), logLevel: "info", ...opts });
}

/** A stack and a CA client for the current test, both stopped after it. */
export function stackPerTest(): { stack: LocalStack | null; client: CaClient | null } {
  const held: { stack: LocalStack | null; client: CaClient | null } = { stack: null, client: null };
  afterEach(async () => {
    held.client?.close();
    await held.stack?.stop();
    held.stack = null;
    held.client = null;
  });
  return held;
}

/** SignCSR through busctl, as an operator would; returns the entry path. */
export async function signCsr(stack: LocalStack, csrPem: string): Promise<string> {
  const r = await busctl(stack.bus, "call", M, "/xyz/openbmc_project/certs/ca", "xyz.openbmc_project.Certs.Authority", "SignCSR", "s", "--", csrPem);
  const m = /^o "(.+)"$/m.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`SignCSR failed: ${r.stderr}`);
  return m[1]!;
}

export async function entryProperty(stack: LocalStack, path: string, prop: "Status" | "ClientCertificate"): Promise<string | null> {
  const r = await busctl(stack.bus, "--json=short", "get-property", M, path, "xyz.openbmc_project.Certs.Entry", prop);
  return r.code === 0 ? (JSON.parse(r.stdout) as { data: string }).data : null;
}

export async function waitForStatus(stack: LocalStack, path: string, ms = 20_000): Promise<{ status: string; cert: string }> {
  const status = await eventually(
    async () => {
      const s = await entryProperty(stack, path, "Status");
      return s && s !== EntryState.Pending ? s : undefined;
    },
    ms,
    `a final Status on ${path}`,
  );
  return { status, cert: (await entryProperty(stack, path, "ClientCertificate")) ?? "" };
}

export async function hostBridgeProperty(stack: LocalStack, prop: string): Promise<string> {
  const r = await busctl(
    stack.bus,
    "--json=short",
    "get-property",
    "xyz.openbmc_project.PLDM.HostBridge",
    "/xyz/openbmc_project/pldm/hostbridge",
    "xyz.openbmc_project.PLDM.HostBridge.Status",
    prop,
  );
  if (r.code !== 0) throw new Error(r.stderr);
  return String((JSON.parse(r.stdout) as { data: unknown }).data);
}

export function readRoot(stack: LocalStack): string {
  return readFileSync(stack.rootCertPath, "utf8");
}

export async function waitForRoot(stack: LocalStack, ms = 15_000): Promise<string> {
  return eventually(
    () => {
      try {
        return readRoot(stack);
      } catch {
        return undefined;
      }
    },
    ms,
    "RootCert",
  );
}
