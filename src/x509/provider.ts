// @peculiar/x509 writes certificates and CSRs (issue.ts, create-csr.ts); nothing reads with it.
// It builds its ASN.1 schemas with decorators that read reflect metadata, so the polyfill
// must be evaluated before the library.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

// The library asks its provider for WebCrypto; Node's implementation is the only one we use.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
