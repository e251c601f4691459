/**
 * The REST front as a process (LocalStack, users file) under the abuse a BMC on a network
 * sees: bodies sent without credentials, password floods, lockout, many sessions, 1,100
 * idle connections, weak TLS 1.2 ciphers. Every load here is bounded and on loopback.
 */
import { connect, type Socket } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { connect as tlsConnect } from "node:tls";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/rest/index.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { scratchDir } from "../support/openssl.js";
import { runProcess } from "../support/run-process.js";
import { eventually } from "../support/dbus.js";
import { startStack } from "../support/local-stack.js";
import { basic, httpsCall, median, rawTlsExchange, type Target } from "./https-client.js";
import { passwordFlood } from "./password-flood.js";

const UNLOCK_MS = 3000;
const HEADER_TIMEOUT_MS = 2000;
const ADMIN = ["hmc", "admin-pass"] as const;
let stack: LocalStack;
let target: Target;

beforeAll(async () => {
  const usersFile = join(scratchDir(), "users.json");
  const users = [
    { username: ADMIN[0], role: "Administrator", passwordHash: await hashPassword(ADMIN[1]) },
    { username: "viewer", role: "ReadOnly", passwordHash: await hashPassword("look") },
    { username: "locky", role: "Operator", passwordHash: await hashPassword("right") },
  ];
  writeFileSync(usersFile, JSON.stringify({ users }));
  stack = await startStack({
    restPort: 0,
    restArgs: [
      "--users",
      usersFile,
      "--faillock-deny",
      "3",
      "--faillock-unlock-time",
      String(UNLOCK_MS),
      "--sessions-per-user",
      "2",
      "--header-timeout",
      String(HEADER_TIMEOUT_MS),
    ],
  });
  target = { url: stack.rest!.url, caPath: stack.rest!.caPath };
}, 60_000);
afterAll(async () => stack?.stop());

const login = (user: string, password: string) => httpsCall(target, "POST", "/login", { body: JSON.stringify({ username: user, password }) });
const tokenOf = (answer: { body: string }) => (JSON.parse(answer.body) as { token: string }).token;
const certificateResource = (token: string) => httpsCall(target, "GET", "/ibm/v1/Host/Certificate", { headers: { "X-Auth-Token": token } });

describe("authentication comes before the body", () => {
  it("answers 401 to a SignCSR that announces 100 MB without credentials, without waiting for the body", async () => {
    const answer = await rawTlsExchange(
      target,
      "POST /ibm/v1/Host/Actions/SignCSR HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
    );
    expect(answer.text).toMatch(/^HTTP\/1\.1 401 /);
  });

  it("answers 413 at once to an authenticated body announced over the limit", async () => {
    const auth = basic(...ADMIN).Authorization;
    const answer = await rawTlsExchange(
      target,
      `POST /ibm/v1/Host/Actions/SignCSR HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n`,
    );
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe("failed logins lock the name (pam_faillock)", () => {
  it("locks after 3 failures, refuses even the right password, and unlocks after unlock_time", async () => {
    for (let i = 0; i < 3; i++) expect((await login("locky", "wrong")).status).toBe(401);
    const whileLocked = await login("locky", "right");
    expect(whileLocked.status).toBe(401);
    // Other users are not affected.
    expect((await login(...ADMIN)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, UNLOCK_MS + 200));
    expect((await login("locky", "right")).status).toBe(200);
  });
});

describe("sessions per user", () => {
  it("keeps at most 2 sessions per user, ending the same user's oldest; another user's logins never end the administrator's", async () => {
    const adminToken = tokenOf(await login(...ADMIN));
    const viewerTokens = [];
    for (let i = 0; i < 5; i++) viewerTokens.push(tokenOf(await login("viewer", "look")));
    expect((await certificateResource(adminToken)).status).toBe(200);
    const statuses = await Promise.all(viewerTokens.map(async (token) => (await certificateResource(token)).status));
    // ReadOnly: 403 while the session lives, 401 once it was ended.
    expect(statuses).toEqual([401, 401, 401, 403, 403]);
  });
});

describe("a password flood does not slow the administrator", () => {
  it("logs the administrator in within a small multiple of its baseline while 400 bad logins pour in", async () => {
    const adminLogin = async () => {
      const answer = await login(...ADMIN);
      expect(answer.status).toBe(200);
      return answer.ms;
    };
    const baseline: number[] = [];
    for (let i = 0; i < 5; i++) baseline.push(await adminLogin());

    const flood = passwordFlood(target.url, target.caPath, 400, 40);
    let done = false;
    const finished = flood.finished.finally(() => (done = true));
    await flood.started;
    // Let the flood build up, then log in while it runs.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const during: number[] = [];
    for (let i = 0; i < 5 && !done; i++) during.push(await adminLogin());
    const outcomes = await finished;
    // The machine is shared: the baseline is taken before and after the flood.
    for (let i = 0; i < 5; i++) baseline.push(await adminLogin());

    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(outcomes).every((status) => status === "401" || status === "503")).toBe(true);
    expect((outcomes["401"] ?? 0) + (outcomes["503"] ?? 0)).toBe(400);
    // With one FIFO queue the administrator waited behind the whole flood's checks (x34 measured).
    const ratio = median(during) / median(baseline);
    expect(ratio, `median login ${median(during).toFixed(0)} ms during the flood, ${median(baseline).toFixed(0)} ms before and after`).toBeLessThan(10);
  }, 120_000);
});

describe("1,100 idle connections", () => {
  it("still lets the administrator in, closing the oldest idle sockets at the cap", async () => {
    const { hostname, port } = new URL(target.url);
    const sockets: Socket[] = [];
    let closedByServer = 0;
    for (let i = 0; i < 1100; i++) {
      const socket = connect({ host: hostname, port: Number(port) });
      socket.on("error", () => undefined);
      socket.on("close", () => (closedByServer += 1));
      sockets.push(socket);
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const answer = await login(...ADMIN);
      expect(answer.status).toBe(200);
      expect((await certificateResource(tokenOf(answer))).status).toBe(200);
      await eventually(() => (closedByServer >= 100 ? true : undefined), 10_000, `100 idle sockets closed by the server (${closedByServer} so far)`);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  }, 60_000);
});

describe("slow and silent connections", () => {
  it("closes a TLS connection that sends nothing, and one that sends half a header, after the header time-out", async () => {
    const { hostname, port } = new URL(target.url);
    const closedAfter = (half: boolean) =>
      new Promise<number>((resolve, reject) => {
        const started = Date.now();
        const socket = tlsConnect({ host: hostname, port: Number(port), ca: readFileSync(target.caPath), servername: "localhost" }, () => {
          if (half) socket.write("GET /ibm/v1/ HTTP/1.1\r\nHost: localhost\r\n");
        });
        socket.on("error", () => undefined);
        socket.on("close", () => resolve(Date.now() - started));
        setTimeout(() => (socket.destroy(), reject(new Error("still open after 15 s"))), 15_000).unref();
      });
    const [silent, half] = await Promise.all([closedAfter(false), closedAfter(true)]);
    expect(silent).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 100);
    expect(half).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 100);
    // The administrator is served meanwhile and after.
    expect((await login(...ADMIN)).status).toBe(200);
  }, 30_000);
});

describe("TLS", () => {
  const sClient = async (...args: string[]) => {
    const { port } = new URL(target.url);
    const run = await runProcess("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", "localhost", ...args]);
    return { ok: run.code === 0, out: run.stdout };
  };

  it("refuses TLS 1.2 with a CBC cipher (AES128-SHA) and accepts an AEAD one, and TLS 1.3", async () => {
    expect((await sClient("-tls1_2", "-cipher", "AES128-SHA")).ok).toBe(false);
    expect((await sClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA")).ok).toBe(false);
    const aead = await sClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
    expect(aead.ok).toBe(true);
    expect(aead.out).toMatch(/Cipher is ECDHE-ECDSA-AES128-GCM-SHA256/);
    expect((await sClient("-tls1_3")).out).toMatch(/TLSv1\.3/);
  });
});
