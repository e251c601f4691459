/** openssl as the independent judge: make CSRs, verify certificates, read public keys. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const scratchDir = (prefix = "hb-test-") => mkdtempSync(join(tmpdir(), prefix));

export function opensslCsr(dir: string, cn: string, key: "rsa" | "ec" = "rsa"): { csrPem: string; keyPath: string; csrPath: string } {
  const keyPath = join(dir, `${cn}.key`);
  const csrPath = join(dir, `${cn}.csr`);
  const newkey = key === "rsa" ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
  execFileSync("openssl", ["req", "-new", ...newkey, "-nodes", "-keyout", keyPath, "-out", csrPath, "-subj", `/CN=${cn}/O=IBM`], { stdio: "pipe" });
  return { csrPem: execFileSync("cat", [csrPath]).toString(), keyPath, csrPath };
}

export function opensslVerify(dir: string, rootPem: string, certPem: string): string {
  const root = join(dir, "root.pem");
  const cert = join(dir, `cert-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(root, rootPem);
  writeFileSync(cert, certPem);
  return execFileSync("openssl", ["verify", "-CAfile", root, "-purpose", "sslclient", cert], { stdio: "pipe" }).toString().trim();
}

export function publicKeyOf(kind: "req" | "x509", pem: string): string {
  return execFileSync("openssl", [kind, "-noout", "-pubkey"], { input: pem, stdio: ["pipe", "pipe", "pipe"] }).toString();
}

export function subjectOf(kind: "req" | "x509", pem: string): string {
  return execFileSync("openssl", [kind, "-noout", "-subject", "-nameopt", "RFC2253"], { input: pem, stdio: ["pipe", "pipe", "pipe"] })
    .toString()
    .replace(/^subject=\s*/, "")
    .trim();
}
