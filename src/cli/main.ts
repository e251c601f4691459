#!/usr/bin/env node
/**
 * `hostbridge`: one binary, one sub-command per part. Each sub-command's module (and what it
 * pulls in: D-Bus, fastify, x509, the codec) is imported only when that sub-command runs, so
 * `hostbridge --version` and `hostbridge decode` start about as fast as a bare node.
 */
import { Command } from "commander";
import { createRequire } from "node:module";

type Register = (program: Command) => void;

/** Each module registers the sub-commands named beside it, in the order `--help` lists them. */
const MODULES: [names: string[], load: () => Promise<Register>][] = [
  [["decode"], async () => (await import("./decode.js")).registerDecode],
  [["host-sim"], async () => (await import("./host-sim.js")).registerHostSim],
  [["cert"], async () => (await import("./cert.js")).registerCert],
  [["hmc"], async () => (await import("./hmc.js")).registerHmc],
  [["daemon", "ca-manager"], async () => (await import("./daemon.js")).registerDaemon],
  [["rest", "host-state"], async () => (await import("./bmc-service-commands.js")).registerBmcServiceCommands],
  [["up"], async () => (await import("./up.js")).registerUp],
];

// Run from dist/src/cli: the package's own package.json is three folders up.
const { version } = createRequire(import.meta.url)("../../../package.json") as { version: string };

/**
 * The sub-commands to load: the one named (the first argument that is not an option: the
 * program itself has only --version and --help), none for a bare --version, and all of them
 * otherwise, so help and "unknown command" see every name.
 */
function modulesToLoad(args: readonly string[]): (typeof MODULES)[number][1][] {
  const named = args.find((a) => !a.startsWith("-"));
  const owner = MODULES.find(([names]) => named !== undefined && names.includes(named));
  if (owner) return [owner[1]];
  if (named === undefined && args.length > 0 && args.every((a) => a === "-V" || a === "--version")) return [];
  return MODULES.map(([, load]) => load);
}

async function main(): Promise<void> {
  const program = new Command()
    .name("hostbridge")
    .version(version)
    .description("PLDM host bridge for the VMI certificate exchange, its simulated host, and trace tools")
    .showHelpAfterError();
  const registers = await Promise.all(modulesToLoad(process.argv.slice(2)).map((load) => load()));
  for (const register of registers) register(program);
  await program.parseAsync(process.argv);
}

main().catch((e: unknown) => {
  process.stderr.write(`hostbridge: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
