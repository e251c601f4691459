/**
 * bmcweb's REST as a client sees it, request by request with curl: /login in both
 * shapes, cookie sessions and X-XSRF-TOKEN, /logout, Redfish sessions, the Base registry
 * errors, 405 with Allow, the IBM service root, security headers, ETag and JSON layout.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { hashPassword, ROOT_CERT_PATH, SIGN_CSR_PATH, startRestServer, type RestServer } from "../../src/rest/index.js";
import { startBridgeStack, type BridgeStack } from "../support/bridge-authority.js";
import { scratchDir } from "../support/openssl.js";
import { curl, type CurlRequest } from "./curl.js";

let stack: BridgeStack;
let server: RestServer;
let url: (path: string) => string;
let base: CurlRequest;

beforeAll(async () => {
  stack = await startBridgeStack();
  const usersFile = join(stack.dir, "users.json");
  const users = await Promise.all(
    (["Administrator", "Operator", "ReadOnly", "NoAccess"] as const).map(async (role) => ({
      username: role.toLowerCase(),
      role,
      passwordHash: await hashPassword("TestPwd123"),
    })),
  );
  writeFileSync(usersFile, JSON.stringify({ users }));
  server = await startRestServer({ stateDir: join(stack.dir, "rest-bmcweb"), port: 0, rootCertPath: stack.rootPath, usersFile }, stack.authority, silentLogger);
  url = (path) => `${server.url}${path}`;
  base = { cacert: server.caPath };
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

const cookie = (setCookie: string | undefined, name: string) => new RegExp(`${name}=([A-Za-z0-9]+)`).exec(setCookie ?? "")?.[1];
const admin = { ...({} as CurlRequest), basic: ["administrator", "TestPwd123"] as const };

describe("/login and /logout", () => {
  it("answers {token} to {username,password}", async () => {
    const answer = await curl(url("/login"), { ...base, body: '{"username":"administrator","password":"TestPwd123"}' });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.json())).toEqual(["token"]);
  });

  it("answers phosphor-rest's {data:[user,password]} with SESSION and XSRF-TOKEN cookies; writes need X-XSRF-TOKEN", async () => {
    const cookieJar = join(scratchDir(), "cookies");
    const login = await curl(url("/login"), { ...base, cookieJar, body: '{"data":["administrator","TestPwd123"]}' });
    expect(login.status).toBe(200);
    expect(login.json()).toEqual({ data: "User 'administrator' logged in", message: "200 OK", status: "ok" });
    const setCookie = login.headers["set-cookie"];
    expect(setCookie).toMatch(/XSRF-TOKEN=[A-Za-z0-9]{20}; SameSite=Strict; Secure/);
    expect(setCookie).toMatch(/SESSION=[A-Za-z0-9]{20}; SameSite=Strict; Secure; HttpOnly/);
    const xsrf = cookie(setCookie, "XSRF-TOKEN")!;
    // GET with the cookie alone; a POST with the cookie but no X-XSRF-TOKEN is not authenticated.
    expect((await curl(url(ROOT_CERT_PATH), { ...base, cookieJar })).status).toBe(200);
    expect((await curl(url("/logout"), { ...base, cookieJar, method: "POST", body: "{}" })).status).toBe(401);
    expect((await curl(url("/logout"), { ...base, cookieJar, method: "POST", body: "{}", headers: { "X-XSRF-TOKEN": "A".repeat(20) } })).status).toBe(401);
    const logout = await curl(url("/logout"), { ...base, cookieJar, method: "POST", body: "{}", headers: { "X-XSRF-TOKEN": xsrf } });
    expect(logout.status).toBe(200);
    expect(logout.json()).toEqual({ data: "User 'administrator' logged out", message: "200 OK", status: "ok" });
    expect((await curl(url(ROOT_CERT_PATH), { ...base, cookieJar })).status).toBe(401);
  });

  it("answers 401 with no body to a wrong password and 400 when it cannot find credentials", async () => {
    const wrong = await curl(url("/login"), { ...base, body: '{"data":["readonly","nope"]}' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toBe("");
    expect((await curl(url("/login"), { ...base, body: '{"user":"x"}' })).status).toBe(400);
    expect((await curl(url("/login"), { ...base, body: "{not json" })).status).toBe(400);
  });
});

describe("Redfish sessions", () => {
  const SESSIONS = "/redfish/v1/SessionService/Sessions";
  it("finds the session service from the unauthenticated service root", async () => {
    const root = await curl(url("/redfish/v1/"), base);
    expect(root.status).toBe(200);
    expect(root.json()).toMatchObject({ Links: { Sessions: { "@odata.id": SESSIONS } } });
  });

  it("creates a session with 201, X-Auth-Token and Location, reads it and deletes it", async () => {
    const created = await curl(url(SESSIONS), { ...base, body: '{"UserName":"readonly","Password":"TestPwd123"}' });
    expect(created.status).toBe(201);
    const token = created.headers["x-auth-token"]!;
    expect(token).toMatch(/^[A-Za-z0-9]{20}$/);
    const location = created.headers.location!;
    expect(created.json()).toMatchObject({ "@odata.id": location, UserName: "readonly", "@odata.type": "#Session.v1_5_0.Session" });
    expect((await curl(url(location), { ...base, token })).status).toBe(200);
    expect((await curl(url(ROOT_CERT_PATH), { ...base, token })).status).toBe(403);
    expect((await curl(url(location), { ...base, token, method: "DELETE" })).status).toBe(200);
    expect((await curl(url(location), { ...base, token })).status).toBe(401);
  });

  it("answers 401 ResourceAtUriUnauthorized to a wrong password and 400 PropertyUnknown to an unknown property", async () => {
    const wrong = await curl(url(SESSIONS), { ...base, body: '{"UserName":"readonly","Password":"x"}' });
    expect(wrong.status).toBe(401);
    expect(wrong.json<{ error: { code: string } }>().error.code).toBe("Base.1.8.1.ResourceAtUriUnauthorized");
    const unknown = await curl(url(SESSIONS), { ...base, body: '{"UserName":"readonly","Password":"TestPwd123","Role":"Administrator"}' });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toHaveProperty(["Role@Message.ExtendedInfo"]);
  });
});

describe("roles, methods, bodies and headers", () => {
  it("lets only the Administrator use the IBM routes (Operator, ReadOnly, NoAccess: 403 InsufficientPrivilege)", async () => {
    expect((await curl(url("/ibm/v1/"), { ...base, ...admin })).status).toBe(200);
    for (const user of ["operator", "readonly", "noaccess"]) {
      const answer = await curl(url("/ibm/v1/"), { ...base, basic: [user, "TestPwd123"] });
      expect(answer.status).toBe(403);
      expect(answer.json<{ error: { code: string } }>().error.code).toBe("Base.1.8.1.InsufficientPrivilege");
    }
  });

  it("serves the IBM service root with the certificate link", async () => {
    const answer = await curl(url("/ibm/v1/"), { ...base, ...admin });
    expect(answer.json()).toEqual({
      "@odata.id": "/ibm/v1/",
      "@odata.type": "#ibmServiceRoot.v1_0_0.ibmServiceRoot",
      Certificate: { "@odata.id": "/ibm/v1/Host/Certificate" },
      Id: "IBM Rest RootService",
      Name: "IBM Service Root",
    });
  });

  it("authenticates before routing: an unknown path is 401 without credentials, 404 with them", async () => {
    const anonymous = await curl(url("/ibm/v1/Host/Nothing"), base);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toBe("Basic");
    expect((await curl(url("/ibm/v1/Host/Nothing"), { ...base, ...admin })).status).toBe(404);
  });

  it("answers 405 with Allow to a method the path does not serve", async () => {
    const answer = await curl(url(SIGN_CSR_PATH), { ...base, ...admin, method: "GET" });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("POST");
    expect((await curl(url(ROOT_CERT_PATH), { ...base, ...admin, method: "DELETE" })).headers.allow).toBe("GET");
  });

  it("answers 400 UnrecognizedRequestBody to a body without Content-Type", async () => {
    const answer = await curl(url(SIGN_CSR_PATH), { ...base, ...admin, body: '{"CsrString":"x"}', contentType: null });
    expect(answer.status).toBe(400);
    expect(answer.json<{ error: { code: string } }>().error.code).toBe("Base.1.8.1.UnrecognizedRequestBody");
  });

  it("writes JSON as bmcweb does: application/json, keys sorted, two-space indent, security headers, ETag and 304", async () => {
    const answer = await curl(url("/ibm/v1/Host/Certificate"), { ...base, ...admin });
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.body).toBe(JSON.stringify(answer.json(), null, 2));
    expect(Object.keys(answer.json())).toEqual(["@odata.id", "Actions", "Id", "Name", "root"]);
    expect(answer.headers).toMatchObject({
      "strict-transport-security": "max-age=31536000; includeSubdomains",
      pragma: "no-cache",
      "cache-control": "no-store, max-age=0",
      "x-content-type-options": "nosniff",
    });
    const etag = answer.headers.etag!;
    expect(etag).toMatch(/^"[0-9A-F]+"$/);
    const again = await curl(url("/ibm/v1/Host/Certificate"), { ...base, ...admin, headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
  });
});
