/** `hostbridge hmc enroll|connect|renew|pins`: the HMC's side of the VMI certificate exchange. */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { InvalidArgumentError, Option, type Command } from "commander";
import { readFile } from "node:fs/promises";
import { connectToVmi, DEFAULT_KEEP_ROOTS, enroll, pinRoot, readPins, renew, withoutPin, withPin, writePins, type BmcConnection } from "../hmc/index.js";
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
  expectRoot?: string;
  keepRoots: number;
}

interface RenewFlags extends Omit<EnrollFlags, "out" | "key" | "subject"> {
  dir: string;
  vmi: { host: string; port: number };
  key?: KeyPairKind;
  subject?: string;
}

interface PinsFlags {
  dir: string;
  add?: string;
  fingerprint?: string;
  remove?: string;
  keepRoots: number;
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

function bmcConnection(flags: Omit<EnrollFlags, "out" | "key" | "subject">): BmcConnection {
  return {
    url: flags.url,
    username: flags.user,
    password: flags.password ?? process.env.HOSTBRIDGE_PASSWORD ?? "0penBmc",
    caPem: flags.caFile === undefined ? undefined : readFileSync(flags.caFile, "utf8"),
    insecure: flags.insecure,
    timeoutMs: flags.timeout,
  };
}

/** The BMC options enroll and renew share. */
function withBmcOptions(command: Command): Command {
  return (
    command
      .requiredOption("--url <url>", "the BMC's REST front, e.g. https://127.0.0.1:2443")
      .option("--user <name>", "BMC user (Administrator role)", "root")
      // No commander default: it would print $HOSTBRIDGE_PASSWORD in --help.
      .option("--password <password>", "BMC password (default: $HOSTBRIDGE_PASSWORD, else the simulator's 0penBmc)")
      .addOption(new Option("--insecure", "do not check the BMC's TLS certificate").default(false).conflicts("caFile"))
      .option("--ca-file <file>", "trust this CA for the BMC's TLS certificate (hostbridge keeps it in <state-dir>/.../tls/ca.pem)")
      .option("--timeout <ms>", "bound on each REST call", intOption(1000, 600_000), 60_000)
      .option("--expect-root <sha256>", "refuse a VMI root with another SHA-256 fingerprint")
      .option("--keep-roots <n>", `pinned roots to keep, newest first (default ${DEFAULT_KEEP_ROOTS})`, intOption(1, 100), DEFAULT_KEEP_ROOTS)
  );
}

export function registerHmc(program: Command): void {
  const hmc = program.command("hmc").description("act as the HMC: get a VMI client certificate through the BMC, then use it");

  withBmcOptions(hmc.command("enroll"))
    .description("make a key and CSR, have the BMC's SignCSR sign it, check it against the VMI root, pin the root and write DIR/{ca,client}")
    .option("--out <dir>", "credential folder", "hmc-credentials")
    .addOption(new Option("--key <kind>", "client key type").choices(["rsa2048", "p256"]).default("rsa2048"))
    .option("--subject <dn>", "certificate subject", `CN=hmc-${hostname()},O=HMC`)
    .action(async (flags: EnrollFlags) => {
      const result = await enroll({
        bmc: bmcConnection(flags),
        outDir: flags.out,
        keyKind: flags.key,
        subject: flags.subject,
        expectRoot: flags.expectRoot,
        keepRoots: flags.keepRoots,
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

  withBmcOptions(hmc.command("renew"))
    .description("enrol a new certificate and keep it only once the VMI has accepted it (mutual TLS); the old set moves to DIR/previous")
    .requiredOption("--vmi <host:port>", "the VMI's TLS endpoint, to prove the new certificate against", hostPort)
    .option("--dir <dir>", "credential folder written by enroll", "hmc-credentials")
    .addOption(new Option("--key <kind>", "client key type (default: the current key's)").choices(["rsa2048", "p256"]))
    .option("--subject <dn>", "certificate subject (default: the current certificate's)")
    .action(async (flags: RenewFlags) => {
      const result = await renew({
        bmc: bmcConnection(flags),
        dir: flags.dir,
        vmi: flags.vmi,
        keyKind: flags.key,
        subject: flags.subject,
        expectRoot: flags.expectRoot,
        keepRoots: flags.keepRoots,
      });
      const lines = [
        `renewed ${result.subject} (valid until ${result.notAfter.toISOString()}); the VMI accepted it: ${result.greeting}`,
        `  client certificate  sha256 ${result.certificateFingerprint}`,
        `  VMI root            sha256 ${result.rootFingerprint}${result.rootWasPinned ? "" : " (newly pinned)"}`,
        `  pinned roots        ${result.pinnedRoots.length}: ${result.pinnedRoots.join(" ")}`,
        `  previous set        ${result.previousDir}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  hmc
    .command("pins")
    .description("list the pinned VMI roots; --add FILE --fingerprint SHA256 pins a root learnt out of band, --remove SHA256 unpins one")
    .option("--dir <dir>", "credential folder", "hmc-credentials")
    .option("--add <pem-file>", "root certificate to pin (needs --fingerprint)")
    .option("--fingerprint <sha256>", "the fingerprint the added root must have")
    .option("--remove <sha256>", "unpin this root")
    .option("--keep-roots <n>", "pinned roots to keep, newest first", intOption(1, 100), DEFAULT_KEEP_ROOTS)
    .action(async (flags: PinsFlags) => {
      let pins = await readPins(flags.dir);
      if (flags.add !== undefined) {
        if (flags.fingerprint === undefined)
          throw new InvalidArgumentError("--add needs --fingerprint: a root is pinned only by a fingerprint checked out of band");
        pins = withPin(pins, await pinRoot(await readFile(flags.add, "utf8"), flags.fingerprint), flags.keepRoots);
      }
      if (flags.remove !== undefined) pins = withoutPin(pins, flags.remove);
      if (flags.add !== undefined || flags.remove !== undefined) await writePins(flags.dir, pins);
      process.stdout.write(pins.map((p) => `${p.fingerprint}  ${p.subject}  pinned ${p.pinnedAt}\n`).join(""));
    });
}
