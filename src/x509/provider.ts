// @peculiar/x509 builds its ASN.1 schemas with decorators that read reflect
// metadata, so the polyfill must be evaluated before the library.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

// The library asks its provider for WebCrypto; Node's implementation is the only one we use.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export const subtle = webcrypto.subtle;
export { x509, webcrypto };
