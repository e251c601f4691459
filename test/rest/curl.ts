/** curl as the REST client: a real HTTP stack and TLS check, run without blocking the server in this process. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../support/run-process.js";

export interface CurlRequest {
  readonly method?: "GET" | "POST" | "DELETE" | "PUT" | "PATCH";
  readonly cacert: string;
  readonly basic?: readonly [string, string];
  readonly token?: string;
  /** Sent as is with Content-Type application/json unless contentType says otherwise. */
  readonly body?: string;
  /** null sends no Content-Type at all. */
  readonly contentType?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** A curl cookie jar file: read and written, as a browser or python-requests session keeps cookies. */
  readonly cookieJar?: string;
}

export interface CurlResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

const STATUS_MARK = "\n--curl-status:";

export async function curl(url: string, request: CurlRequest): Promise<CurlResponse> {
  // Headers go to a file: curl 7.88 crashes dumping them to /dev/stderr when stderr is a pipe.
  const headerDir = mkdtempSync(join(tmpdir(), "hb-curl-"));
  const headerPath = join(headerDir, "headers");
  const method = request.method ?? (request.body === undefined ? "GET" : "POST");
  const args = ["-sS", "--cacert", request.cacert, "-X", method, "-D", headerPath, "-w", `${STATUS_MARK}%{http_code}`];
  if (request.basic) args.push("-u", `${request.basic[0]}:${request.basic[1]}`);
  if (request.token) args.push("-H", `X-Auth-Token: ${request.token}`);
  for (const [name, value] of Object.entries(request.headers ?? {})) args.push("-H", `${name}: ${value}`);
  if (request.cookieJar) args.push("-b", request.cookieJar, "-c", request.cookieJar);
  if (request.body !== undefined) {
    args.push("-H", request.contentType === null ? "Content-Type:" : `Content-Type: ${request.contentType ?? "application/json"}`, "--data-binary", "@-");
  }
  args.push(url);
  const run = await runProcess("curl", args, { input: request.body });
  const headerDump = run.code === 0 ? readFileSync(headerPath, "utf8") : "";
  rmSync(headerDir, { recursive: true, force: true });
  const mark = run.stdout.lastIndexOf(STATUS_MARK);
  if (run.code !== 0 || mark < 0) throw new Error(`curl exited ${run.code}: ${run.stderr}`);
  const body = run.stdout.slice(0, mark);
  return { status: Number(run.stdout.slice(mark + STATUS_MARK.length)), headers: parseHeaders(headerDump), body, json: () => JSON.parse(body) };
}

function parseHeaders(dump: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of dump.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || line.startsWith("HTTP/")) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // Repeated headers (Set-Cookie) are joined as one field would be.
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}
