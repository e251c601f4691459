import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import {
  CERTIFICATE_PATH,
  hashPassword,
  loadUsersFile,
  RestConfigError,
  ROOT_CERT_PATH,
  SIGN_CSR_PATH,
  startRestServer,
  UsersFileError,
  type RestServer,
} from "../../src/rest/index.js";
import { startBridgeStack, type BridgeStack } from "../support/bridge-authority.js";
import { opensslCsr, scratchDir } from "../support/openssl.js";
import { curl } from "./curl.js";

let stack: BridgeStack;
let server: RestServer;
let url: (path: string) => string;
let cacert: string;

beforeAll(async () => {
  stack = await startBridgeStack();
  const usersFile = join(stack.dir, "users.json");
  const users = [
    { username: "hmc", role: "Administrator", passwordHash: await hashPassword("s3cret:with-colon") },
    { username: "viewer", role: "ReadOnly", passwordHash: await hashPassword("look") },
  ];
  writeFileSync(usersFile, JSON.stringify({ users }));
  server = await startRestServer({ stateDir: join(stack.dir, "rest-users"), port: 0, rootCertPath: stack.rootPath, usersFile }, stack.authority, silentLogger);
  url = (path) => `${server.url}${path}`;
  cacert = server.caPath;
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

const login = (username: string, password: string) => curl(url("/login"), { cacert, body: JSON.stringify({ username, password }) });

describe("who may call the IBM routes", () => {
  it("lets an Administrator in by HTTP Basic, with ':' in the password", async () => {
    const answer = await curl(url(ROOT_CERT_PATH), { cacert, basic: ["hmc", "s3cret:with-colon"] });
    expect(answer.status).toBe(200);
    expect(answer.json<{ Certificate: string }>().Certificate).toContain("BEGIN CERTIFICATE");
  });

  it("answers 403 to a ReadOnly user on every route, before anything reaches the host", async () => {
    const { csrPem } = opensslCsr(scratchDir(), "viewer-csr");
    for (const [path, body] of [[SIGN_CSR_PATH, JSON.stringify({ CsrString: csrPem })], [ROOT_CERT_PATH], [CERTIFICATE_PATH]] as const) {
      const answer = await curl(url(path), { cacert, basic: ["viewer", "look"], body });
      expect(answer.status).toBe(403);
      expect(answer.json<{ error: { code: string } }>().error.code).toBe("Base.1.8.1.InsufficientPrivilege");
    }
    expect(stack.bmc.bridge.counters.announces).toBe(0);
  });

  it("answers 401 with a Basic challenge to a wrong password, an unknown user or no credentials", async () => {
    for (const basic of [["hmc", "wrong"], ["nobody", "look"], undefined] as const) {
      const answer = await curl(url(ROOT_CERT_PATH), { cacert, basic });
      expect(answer.status).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe("Basic");
      expect(answer.body).toBe("");
    }
  });

  it("does not know the default user once a users file is configured", async () => {
    expect((await curl(url(ROOT_CERT_PATH), { cacert, basic: ["root", "0penBmc"] })).status).toBe(401);
  });
});

describe("session tokens", () => {
  it("logs in, uses X-Auth-Token, logs out, and the token stops working", async () => {
    const session = await login("hmc", "s3cret:with-colon");
    expect(session.status).toBe(200);
    const token = session.json<{ token: string }>().token;
    expect(token).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await curl(url(CERTIFICATE_PATH), { cacert, token })).status).toBe(200);
    expect((await curl(url("/logout"), { cacert, token, method: "POST" })).status).toBe(200);
    expect((await curl(url(CERTIFICATE_PATH), { cacert, token })).status).toBe(401);
  });

  it("gives a ReadOnly session 403 and a bad login 401", async () => {
    const token = (await login("viewer", "look")).json<{ token: string }>().token;
    expect((await curl(url(ROOT_CERT_PATH), { cacert, token })).status).toBe(403);
    expect((await login("viewer", "nope")).status).toBe(401);
    expect((await curl(url("/login"), { cacert, body: '{"username": 1}' })).status).toBe(400);
  });
});

describe("server start-up", () => {
  it("refuses a non-loopback address without configured users", async () => {
    await expect(startRestServer({ stateDir: scratchDir(), host: "0.0.0.0", port: 0 }, stack.authority, silentLogger)).rejects.toThrow(RestConfigError);
  });

  it("keeps its TLS certificate across restarts in the state dir", async () => {
    const stateDir = scratchDir();
    const first = await startRestServer({ stateDir, port: 0, rootCertPath: stack.rootPath }, stack.authority, silentLogger);
    const ca = readFileSync(first.caPath, "utf8");
    const key = readFileSync(join(stateDir, "tls", "server-key.pem"), "utf8");
    await first.close();
    const second = await startRestServer({ stateDir, port: 0, rootCertPath: stack.rootPath }, stack.authority, silentLogger);
    expect(readFileSync(second.caPath, "utf8")).toBe(ca);
    expect(readFileSync(join(stateDir, "tls", "server-key.pem"), "utf8")).toBe(key);
    // The default user works on loopback; curl checks the kept certificate with --cacert.
    expect((await curl(`${second.url}${ROOT_CERT_PATH}`, { cacert: second.caPath, basic: ["root", "0penBmc"] })).status).toBe(200);
    await second.close();
  });

  it("names the first problem in a bad users file", async () => {
    const file = join(scratchDir(), "users.json");
    writeFileSync(file, JSON.stringify({ users: [{ username: "a", role: "Superuser", passwordHash: "x" }] }));
    await expect(loadUsersFile(file)).rejects.toThrow(UsersFileError);
    await expect(loadUsersFile(file)).rejects.toThrow(/users\[0\]: role must be one of Administrator, Operator, ReadOnly, NoAccess/);
    writeFileSync(file, JSON.stringify({ users: [{ username: "a", role: "ReadOnly", passwordHash: "plain" }] }));
    await expect(loadUsersFile(file)).rejects.toThrow(/passwordHash/);
  });
});
