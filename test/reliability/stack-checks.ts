/** Checks shared by the whole-stack cases: every entry Complete for its own key, once. */
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { afterEach, expect } from "vitest";
import { EntryState } from "../../src/dbus/names.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import type { CaClient } from "../support/ca-client.js";
import { certifiedKeyFingerprint, csrKeyFingerprint } from "../support/sim-pair.js";

/** Asserts each entry (path -> its CSR) is Complete with a certificate for that CSR's key, written once. */
export async function expectAllCompleteOnce(client: CaClient, csrOf: ReadonlyMap<string, string>): Promise<{ duplicates: number; mismatched: number }> {
  let duplicates = 0;
  let mismatched = 0;
  for (const [path, csr] of csrOf) {
    const now = await client.read(path);
    expect(now.status, path).toBe(EntryState.Complete);
    if ((await certifiedKeyFingerprint(now.cert)) !== (await csrKeyFingerprint(csr))) mismatched++;
    if ((client.entries.get(path)?.certWrites.length ?? 0) > 1) duplicates++;
  }
  expect(mismatched).toBe(0);
  expect(duplicates).toBe(0);
  return { duplicates, mismatched };
}

/** Temporary files anywhere they could be left: the spool and beside RootCert. */
export function leftoverTempFiles(stack: LocalStack, spoolDir: string): string[] {
  const temps = (dir: string) => readdirSync(dir).filter((n) => /\.tmp$|\.tmp\./.test(n) || n.startsWith(".RootCert"));
  return [...temps(spoolDir), ...temps(dirname(stack.rootCertPath))];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stack and client a test starts, stopped after each test whatever happened. */
export function stackPerTest(): { stack: LocalStack | null; client: CaClient | null } {
  const held: { stack: LocalStack | null; client: CaClient | null } = { stack: null, client: null };
  afterEach(async () => {
    held.client?.close();
    await held.stack?.stop();
    held.stack = held.client = null;
  });
  return held;
}

const WHOLE_PEM = /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/;

/** What a reader polling RootCert saw: every read, the partial or empty ones, the distinct whole roots. */
export interface RootCertReads {
  reads: number;
  partial: number;
  roots: Set<string>;
}

/** Reads `path` in a loop (a pause of `pauseMs` between reads) until `stop()`, which returns what was seen. */
export function pollRootCert(path: string, pauseMs: number): { stop(): Promise<RootCertReads> } {
  const seen: RootCertReads = { reads: 0, partial: 0, roots: new Set() };
  let reading = true;
  const reader = (async () => {
    while (reading) {
      const text = await readFile(path, "utf8");
      seen.reads++;
      if (WHOLE_PEM.test(text)) seen.roots.add(text);
      else seen.partial++;
      await sleep(pauseMs);
    }
  })();
  return {
    async stop() {
      reading = false;
      await reader;
      return seen;
    },
  };
}
