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
  | { kind: "error"; detail: string };

export interface CertAuthority {
  /** Submit a CSR, wait up to waitMs for the outcome, always clean up the entry. */
  signCsr(csrPem: string, waitMs: number): Promise<SignOutcome>;
}
