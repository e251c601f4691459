/**
 * The bmcweb IBM management-console routes for the VMI certificate exchange, with
 * bmcweb's status codes and bodies (docs/rest.md has the table).
 */
import { readFile } from "node:fs/promises";
import type { FastifyReply } from "fastify";
import { CaManager } from "../dbus/names.js";
import type { CertAuthority, SignOutcome } from "./cert-authority.js";
import { certificateBindingProblem, csrDecodeProblem } from "./certificate-binding.js";
import { allowOnly, INTERNAL_SERVER_ERROR, sendDescription, type RestApp } from "./replies.js";
import { readJsonBody } from "./request-body.js";
import type { Privilege } from "./users.js";

import { CERTIFICATE_PATH, IBM_ROOT_PATH, ROOT_CERT_PATH, SIGN_CSR_PATH } from "../api/rest-paths.js";

/** bmcweb's privileges for every IBM management-console route: one set, both needed, so Administrator only. */
const CONFIGURE: readonly (readonly Privilege[])[] = [["ConfigureComponents", "ConfigureManager"]];
/** The CA manager's limit: longer CSRs are answered 400 before they reach the bus. */
const MAX_CSR_BYTES = CaManager.maxCsrBytes;

/** bmcweb tells the HMC to come back in a minute when the host has not answered. */
export const RETRY_AFTER_SECONDS = 60;

export interface IbmRouteOptions {
  readonly authority: CertAuthority;
  readonly rootCertPath: string;
  readonly signWaitMs: number;
}

interface SignCsrBody {
  CsrString: string;
}

export function registerIbmRoutes(app: RestApp, options: IbmRouteOptions): void {
  const config = { privileges: CONFIGURE };

  app.get(IBM_ROOT_PATH, { config }, async () => ({
    "@odata.id": IBM_ROOT_PATH,
    "@odata.type": "#ibmServiceRoot.v1_0_0.ibmServiceRoot",
    Certificate: { "@odata.id": CERTIFICATE_PATH },
    Id: "IBM Rest RootService",
    Name: "IBM Service Root",
  }));

  app.get(CERTIFICATE_PATH, { config }, async () => ({
    "@odata.id": CERTIFICATE_PATH,
    Id: "Certificate",
    Name: "Certificate",
    Actions: { SignCSR: { target: SIGN_CSR_PATH } },
    root: { target: ROOT_CERT_PATH },
  }));

  app.get(ROOT_CERT_PATH, { config }, async (request, reply) => {
    const certificate = await readRootCertificate(options.rootCertPath).catch((error: unknown) => {
      request.log.error({ path: options.rootCertPath, err: (error as Error).message }, "cannot read the root certificate");
      return undefined;
    });
    if (certificate === undefined) return sendDescription(reply, 500, INTERNAL_SERVER_ERROR);
    return reply.send({ Certificate: certificate });
  });

  app.post(SIGN_CSR_PATH, { config }, async (request, reply) => {
    const body = readJsonBody<SignCsrBody>(request, reply, { CsrString: { type: "string", required: true } });
    if (body === undefined) return reply;
    const csrPem = body.CsrString;
    const bytes = Buffer.byteLength(csrPem);
    if (bytes > MAX_CSR_BYTES) return sendDescription(reply, 400, `Bad CSR: ${bytes} bytes, at most ${MAX_CSR_BYTES} are accepted`);
    const undecodable = csrDecodeProblem(csrPem);
    if (undecodable !== undefined) {
      // No certificate could ever be bound to it; the OpenBMC suite expects 500 here.
      request.log.warn({ user: request.user?.username, problem: undecodable }, "SignCSR with a CSR that does not decode; not sent to the host");
      return sendDescription(reply, 500, INTERNAL_SERVER_ERROR);
    }
    const started = Date.now();
    let outcome = await options.authority
      .signCsr(csrPem, options.signWaitMs)
      .catch((error: unknown): SignOutcome => ({ kind: "error", detail: (error as Error).message }));
    if (outcome.kind === "complete" && outcome.certificate !== "") {
      const problem = certificateBindingProblem(csrPem, outcome.certificate);
      if (problem !== undefined) {
        request.log.error({ user: request.user?.username, problem }, "refusing to hand out a certificate that is not bound to this request's CSR");
        outcome = { kind: "error", detail: `certificate refused: ${problem}` };
      }
    }
    request.log.info(
      { user: request.user?.username, outcome: outcome.kind, ms: Date.now() - started, ...("detail" in outcome ? { detail: outcome.detail } : {}) },
      "SignCSR answered",
    );
    return replyToSignOutcome(reply, outcome);
  });

  allowOnly(app, IBM_ROOT_PATH, ["GET"]);
  allowOnly(app, CERTIFICATE_PATH, ["GET"]);
  allowOnly(app, ROOT_CERT_PATH, ["GET"]);
  allowOnly(app, SIGN_CSR_PATH, ["POST"]);
}

/** The file's text, or undefined when there is no root yet (missing or empty file). */
async function readRootCertificate(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, "utf8");
    return text === "" ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export function replyToSignOutcome(reply: FastifyReply, outcome: SignOutcome): FastifyReply {
  switch (outcome.kind) {
    case "complete":
      return outcome.certificate === "" ? sendDescription(reply, 500, "Empty Client Certificate") : reply.code(200).send({ Certificate: outcome.certificate });
    case "bad-csr":
      return sendDescription(reply, 400, outcome.reason ? `Bad CSR: ${outcome.reason}` : "Bad CSR");
    case "pending":
      return sendDescription(reply.header("Retry-After", String(RETRY_AFTER_SECONDS)), 503, "Host is not ready to serve the request");
    case "unavailable":
      return sendDescription(reply.header("Retry-After", String(RETRY_AFTER_SECONDS)), 503, "Certificate authority is not available; retry the request");
    case "entry-gone":
      return sendDescription(reply, 500, "Failed to get request status");
    case "error":
      return sendDescription(reply, 500, INTERNAL_SERVER_ERROR);
  }
}
