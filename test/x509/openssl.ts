import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface OpensslResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A scratch directory where tests hand files to the real openssl binary, the
 * independent judge of what src/x509 produces.
 */
export class OpensslWorkdir {
  readonly dir = mkdtempSync(join(tmpdir(), "x509-test-"));

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, text: string | Uint8Array): string {
    writeFileSync(this.path(name), text);
    return this.path(name);
  }

  read(name: string): string {
    return readFileSync(this.path(name), "utf8");
  }

  readBytes(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name)));
  }

  /** Runs openssl in the directory with stdin closed; never throws on a non-zero exit. */
  run(args: readonly string[]): OpensslResult {
    const result = spawnSync("openssl", args, { cwd: this.dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs openssl and returns stdout, failing the test with openssl's stderr on a non-zero exit. */
  ok(args: readonly string[]): string {
    const result = this.run(args);
    if (result.status !== 0) {
      throw new Error(`openssl ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    }
    return result.stdout;
  }

  /** `openssl req -new` with a fresh key: returns the CSR and key PEM. */
  makeCsr(name: string, keyArgs: readonly string[], subject: string): { csrPem: string; keyPem: string } {
    this.ok(["req", "-new", ...keyArgs, "-nodes", "-subj", subject, "-keyout", `${name}.key`, "-out", `${name}.csr`]);
    return { csrPem: this.read(`${name}.csr`), keyPem: this.read(`${name}.key`) };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const OPENSSL_RSA2048 = ["-newkey", "rsa:2048"] as const;
export const OPENSSL_P256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] as const;
