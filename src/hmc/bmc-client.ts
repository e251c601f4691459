/**
 * The HMC's side of the bmcweb IBM routes over node:https: HTTP Basic, a CA file or
 * --insecure for the BMC's self-signed certificate, and errors that say which call
 * failed and what the BMC answered.
 */
import { STATUS_CODES } from "node:http";
import { request as httpsRequest } from "node:https";
import { ROOT_CERT_PATH, SIGN_CSR_PATH } from "../api/rest-paths.js";

export interface BmcConnection {
  /** e.g. "https://127.0.0.1:2443" */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Trust this CA (PEM) for the BMC; undefined uses the system's trust store. */
  readonly caPem?: string;
  /** Skip the BMC certificate check (a lab BMC with a certificate nobody trusts yet). */
  readonly insecure?: boolean;
  /** Whole-call bound; SignCSR itself waits up to 30 s on the BMC. */
  readonly timeoutMs?: number;
}

export type BmcRequestFailure = "network" | "http" | "bad-response";

export class BmcRequestError extends Error {
  override readonly name = "BmcRequestError";
  constructor(
    readonly reason: BmcRequestFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;

interface JsonAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
}

function call(connection: BmcConnection, method: "GET" | "POST", path: string, body?: unknown): Promise<JsonAnswer> {
  const url = new URL(path, connection.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method,
        auth: `${connection.username}:${connection.password}`,
        ca: connection.caPem,
        rejectUnauthorized: !connection.insecure,
        headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        timeout: connection.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          try {
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: (text === "" ? {} : JSON.parse(text)) as Record<string, unknown> });
          } catch {
            reject(
              new BmcRequestError(
                "bad-response",
                `${method} ${url.pathname} answered ${response.statusCode} with a body that is not JSON`,
                response.statusCode,
              ),
            );
          }
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${connection.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)));
    request.on("error", (error) => reject(new BmcRequestError("network", `${method} ${url.href}: ${error.message}${networkHint(error)}`)));
    request.end(payload);
  });
}

/** bmcweb's words for a refusal: the IBM routes' Description, a Redfish error's message, or the status text of an empty answer. */
function describeError(answer: JsonAnswer): string {
  const { Description, error } = answer.body as { Description?: unknown; error?: { message?: unknown } };
  if (typeof Description === "string") return Description;
  if (typeof error?.message === "string") return error.message;
  return Object.keys(answer.body).length === 0 ? (STATUS_CODES[answer.status] ?? "") : JSON.stringify(answer.body);
}

/** What to do about a failed connection, for the errors a newcomer meets. */
function networkHint(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return " (give the CA that signed the BMC's HTTPS certificate with --ca-file; `hostbridge up` prints its path)";
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return " (use the host name or address the BMC's certificate was made for in --url)";
    case "ECONNREFUSED":
      return " (nothing listens there: is the BMC's REST front running, and is the port in --url right?)";
    case "ENOTFOUND":
      return " (the host name in --url does not resolve)";
    default:
      return "";
  }
}

const STATUS_HINTS: Record<number, string> = {
  401: " (check --user and --password)",
  403: " (this user may not sign: use an Administrator account)",
  503: " (the BMC cannot reach the host or its CA service right now: try again after Retry-After)",
};

/** The "Certificate" of a 200 answer, or a BmcRequestError naming the status and the BMC's Description. */
function certificateOf(answer: JsonAnswer, what: string): string {
  if (answer.status !== 200) {
    const retryAfter = answer.headers["retry-after"];
    const description = describeError(answer);
    throw new BmcRequestError(
      "http",
      `${what} answered ${answer.status}: ${description}${retryAfter ? ` (Retry-After: ${String(retryAfter)} s)` : ""}${STATUS_HINTS[answer.status] ?? ""}`,
      answer.status,
    );
  }
  const certificate = answer.body.Certificate;
  if (typeof certificate !== "string" || certificate === "") throw new BmcRequestError("bad-response", `${what} answered 200 without a Certificate`, 200);
  return certificate;
}

export async function requestSignedCertificate(connection: BmcConnection, csrPem: string): Promise<string> {
  return certificateOf(await call(connection, "POST", SIGN_CSR_PATH, { CsrString: csrPem }), "SignCSR");
}

export async function fetchRootCertificate(connection: BmcConnection): Promise<string> {
  return certificateOf(await call(connection, "GET", ROOT_CERT_PATH), "the root certificate route");
}
