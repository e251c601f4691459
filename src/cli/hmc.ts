/** `hostbridge hmc enroll|connect`: the HMC's side of the VMI certificate exchange. */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { InvalidArgumentError, Option, type Command } from "commander";
import { connectToVmi, enroll } from "../hmc/index.js";
import type { KeyPairKind } from "../x509/index.js";
import { intOption } from "./options.js";

interface EnrollFlags {
  url: string;
  user: string;
  password?: string;
  out: string;
  key: KeyPairKind;
  subject: string;
  insecure: boolean;
  caFile?: string;
  timeout: number;
}

interface ConnectFlags {
  vmi: { host: string; port: number };
  dir: string;
  timeout: number;
}

/** "HOST:PORT" or "[v6]:PORT". */
function hostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !(port >= 1 && port <= 65535)) throw new InvalidArgumentError("expected HOST:PORT, e.g. 127.0.0.1:4443");
  return { host, port };
}

export function registerHmc(program: Command): void {
  const hmc = program.command("hmc").description("act as the HMC: get a VMI client certificate through the BMC, then use it");

  hmc
    .command("enroll")
    .description("make a key and CSR, have the BMC's SignCSR sign it, check it against the VMI root and write DIR/{ca,client}")
    .requiredOption("--url <url>", "the BMC's REST front, e.g. https://127.0.0.1:2443")
    .option("--user <name>", "BMC user (Administrator role)", "root")
    // No commander default: it would print $HOSTBRIDGE_PASSWORD in --help.
    .option("--password <password>", "BMC password (default: $HOSTBRIDGE_PASSWORD, else the simulator's 0penBmc)")
    .option("--out <dir>", "credential folder", "hmc-credentials")
    .addOption(new Option("--key <kind>", "client key type").choices(["rsa2048", "p256"]).default("rsa2048"))
    .option("--subject <dn>", "certificate subject", `CN=hmc-${hostname()},O=HMC`)
    .addOption(new Option("--insecure", "do not check the BMC's TLS certificate").default(false).conflicts("caFile"))
    .option("--ca-file <file>", "trust this CA for the BMC's TLS certificate (hostbridge keeps it in <state-dir>/.../tls/ca.pem)")
    .option("--timeout <ms>", "bound on each REST call", intOption(1000, 600_000), 60_000)
    .action(async (flags: EnrollFlags) => {
      const result = await enroll({
        bmc: {
          url: flags.url,
          username: flags.user,
          password: flags.password ?? process.env.HOSTBRIDGE_PASSWORD ?? "0penBmc",
          caPem: flags.caFile === undefined ? undefined : readFileSync(flags.caFile, "utf8"),
          insecure: flags.insecure,
          timeoutMs: flags.timeout,
        },
        outDir: flags.out,
        keyKind: flags.key,
        subject: flags.subject,
      });
      const lines = [
        `enrolled ${result.subject} (valid until ${result.notAfter.toISOString()})`,
        `  client certificate  ${result.paths.clientCert}  sha256 ${result.certificateFingerprint}`,
        `  client key          ${result.paths.clientKey}  (0600)`,
        `  VMI root            ${result.paths.rootCert}  sha256 ${result.rootFingerprint}`,
      ];
      if (result.replacedRootFingerprint !== null) {
        lines.push(
          "note: the VMI root changed since the last enroll into this folder (the VMI rebooted):",
          `  was  ${result.replacedRootFingerprint}`,
          `  now  ${result.rootFingerprint}`,
        );
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  hmc
    .command("connect")
    .description("open mutual TLS to the VMI with the credentials from enroll and report the outcome")
    .requiredOption("--vmi <host:port>", "the VMI's TLS endpoint (host-sim --vmi-tls-port)", hostPort)
    .option("--dir <dir>", "credential folder written by enroll", "hmc-credentials")
    .option("--timeout <ms>", "bound on the handshake and greeting", intOption(100, 600_000), 10_000)
    .action(async (flags: ConnectFlags) => {
      const outcome = await connectToVmi({ ...flags.vmi, dir: flags.dir, timeoutMs: flags.timeout });
      const where = `${flags.vmi.host}:${flags.vmi.port}`;
      if (outcome.ok) {
        process.stdout.write(`connected to the VMI at ${where} (${outcome.protocol}, server ${outcome.serverSubject}): ${outcome.greeting}\n`);
        return;
      }
      process.stderr.write(`hostbridge hmc connect: ${where}: ${outcome.reason}: ${outcome.message}\n`);
      process.exitCode = 1;
    });
}
