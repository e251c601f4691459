/** `hostbridge cert show FILE`: what a PEM certificate or CSR says, in a few lines. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { describeCertificate, describeCsr, encodePem, splitPemBlocks } from "../x509/checks.js";

export async function describePemFile(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8");
  const blocks = splitPemBlocks(text);
  if (!blocks.length) throw new Error(`${path}: no PEM block found`);
  const out: string[] = [];
  for (const b of blocks) {
    const pem = encodePem(b.label, b.der);
    if (b.label.includes("CERTIFICATE REQUEST")) {
      const d = await describeCsr(pem);
      out.push(
        `CSR`,
        `  subject:     ${d.subject}`,
        `  key:         ${d.keyKind}`,
        `  signature:   ${d.signatureValid ? "valid" : "INVALID"}`,
        `  sha256:      ${d.sha256Fingerprint}`,
      );
    } else if (b.label === "CERTIFICATE") {
      const d = await describeCertificate(pem);
      out.push(
        `certificate${d.isCa ? " (CA)" : ""}`,
        `  subject:     ${d.subject}`,
        `  issuer:      ${d.issuer}`,
        `  valid:       ${d.notBefore.toISOString()} .. ${d.notAfter.toISOString()}`,
        `  serial:      ${d.serial}`,
        `  key:         ${d.keyKind}`,
        `  sha256:      ${d.sha256Fingerprint}`,
      );
    } else {
      // Refused, not skipped: a key given where a certificate was meant is a mistake worth a failure.
      throw new Error(`${path}: holds a ${b.label}, not a certificate or CSR${b.label.includes("PRIVATE KEY") ? " (cert show never prints keys)" : ""}`);
    }
  }
  return out;
}

export function registerCert(program: Command): void {
  program
    .command("cert")
    .description("certificate tools")
    .command("show")
    .description("print subject, issuer, validity, key and fingerprint of a PEM certificate or CSR")
    .argument("<file>")
    .action(async (file: string) => {
      process.stdout.write(`${(await describePemFile(file)).join("\n")}\n`);
    });
}
