/**
 * What the REST front needs from the CA side: submit a CSR and learn its outcome.
 * The daemon implements it over D-Bus (CA manager SignCSR + the entry's Status);
 * tests implement it over the BMC half of the engine. Keeping the seam here lets the
 * REST front run and be tested without a bus.
 */
export type SignOutcome =
  /** Status became Complete; `certificate` may be "" (the REST front answers 500 Empty Client Certificate). */
  | { kind: "complete"; certificate: string }
  /** Status became BadCSR: the host or an attestation hook refused the request; `reason` when the daemon knows it. */
  | { kind: "bad-csr"; reason?: string }
  /** Still Pending when the wait ran out (host down or slow): 503 with Retry-After. */
  | { kind: "pending" }
  /** SignCSR itself failed (a D-Bus error): 500. */
  | { kind: "error"; detail: string }
  /** The entry went away before it left Pending (deleted by someone else): 500 at once. */
  | { kind: "entry-gone"; detail: string }
  /** The CA manager left the bus (crash, restart) while the request waited: 503 at once. */
  | { kind: "unavailable"; detail: string };

export interface CertAuthority {
  /** Submit a CSR, wait up to waitMs for the outcome, always clean up the entry. */
  signCsr(csrPem: string, waitMs: number): Promise<SignOutcome>;
}
