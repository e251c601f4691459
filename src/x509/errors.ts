/** Base of the typed x509 errors: a stable machine-readable `reason` and a message for people. */
export abstract class X509Error<Reason extends string> extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type PemErrorReason = "no-block" | "malformed" | "several-blocks" | "wrong-label";

/** Text that is not the one PEM block the caller expected. */
export class PemError extends X509Error<PemErrorReason> {}

export type KeyErrorReason = "not-pem" | "bad-der" | "unsupported-key";

/** A private key that cannot be read or is of a kind we do not handle. */
export class KeyError extends X509Error<KeyErrorReason> {}

export type CertificateErrorReason = "not-pem" | "bad-der" | "ca-key-mismatch";

/** A certificate that cannot be read or used as asked. */
export class CertificateError extends X509Error<CertificateErrorReason> {}

export type CsrErrorReason = "too-large" | "not-pem" | "bad-der" | "empty-subject" | "unsupported-key" | "unsupported-signature-algorithm" | "bad-signature";

/** A certificate signing request the CA must refuse (the host answers BadCSR). */
export class CsrError extends X509Error<CsrErrorReason> {}
