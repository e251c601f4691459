/**
 * The bmcweb IBM management-console routes for the VMI certificate exchange, with
 * bmcweb's status codes and bodies (docs/rest.md has the table).
 */
import { readFile } from "node:fs/promises";
import type { FastifyReply } from "fastify";
import { requireRole, type AuthContext } from "./auth.js";
import type { CertAuthority, SignOutcome } from "./cert-authority.js";
import { INTERNAL_SERVER_ERROR, sendDescription, type RestApp } from "./replies.js";

export const SIGN_CSR_PATH = "/ibm/v1/Host/Actions/SignCSR";
export const ROOT_CERT_PATH = "/ibm/v1/Host/Certificate/root";
export const CERTIFICATE_PATH = "/ibm/v1/Host/Certificate";

/** bmcweb tells the HMC to come back in a minute when the host has not answered. */
export const RETRY_AFTER_SECONDS = 60;

export interface IbmRouteOptions {
  readonly authority: CertAuthority;
  readonly auth: AuthContext;
  readonly rootCertPath: string;
  readonly signWaitMs: number;
}

interface SignCsrBody {
  CsrString: string;
}

export function registerIbmRoutes(app: RestApp, options: IbmRouteOptions): void {
  const adminOnly = requireRole(options.auth, "Administrator");

  app.get(CERTIFICATE_PATH, { preHandler: adminOnly }, async () => ({
    "@odata.id": CERTIFICATE_PATH,
    Id: "Certificate",
    Name: "Certificate",
    Actions: { SignCSR: { target: SIGN_CSR_PATH } },
    root: { target: ROOT_CERT_PATH },
  }));

  app.get(ROOT_CERT_PATH, { preHandler: adminOnly }, async (request, reply) => {
    const certificate = await readRootCertificate(options.rootCertPath).catch((error: unknown) => {
      request.log.error({ path: options.rootCertPath, err: (error as Error).message }, "cannot read the root certificate");
      return undefined;
    });
    if (certificate === undefined) return sendDescription(reply, 500, INTERNAL_SERVER_ERROR);
    return reply.send({ Certificate: certificate });
  });

  app.post<{ Body: SignCsrBody }>(
    SIGN_CSR_PATH,
    {
      preHandler: adminOnly,
      schema: {
        body: { type: "object", required: ["CsrString"], properties: { CsrString: { type: "string", minLength: 1 } } },
      },
    },
    async (request, reply) => {
      const started = Date.now();
      const outcome = await options.authority.signCsr(request.body.CsrString, options.signWaitMs).catch(
        (error: unknown): SignOutcome => ({ kind: "error", detail: (error as Error).message }),
      );
      request.log.info({ user: request.user?.username, outcome: outcome.kind, ms: Date.now() - started, ...("detail" in outcome ? { detail: outcome.detail } : {}) }, "SignCSR answered");
      return replyToSignOutcome(reply, outcome);
    },
  );
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
      return outcome.certificate === ""
        ? sendDescription(reply, 500, "Empty Client Certificate")
        : reply.code(200).send({ Certificate: outcome.certificate });
    case "bad-csr":
      return sendDescription(reply, 400, outcome.reason ? `Bad CSR: ${outcome.reason}` : "Bad CSR");
    case "pending":
      return sendDescription(reply.header("Retry-After", String(RETRY_AFTER_SECONDS)), 503, "Host is not ready to serve the request");
    case "error":
      return sendDescription(reply, 500, INTERNAL_SERVER_ERROR);
  }
}
