#!/usr/bin/env node
/** `hostbridge`: one binary, one sub-command per part. */
import { Command } from "commander";
import { createRequire } from "node:module";
import { registerBmcServices } from "./bmc-services.js";
import { registerCert } from "./cert.js";
import { registerDaemon } from "./daemon.js";
import { registerDecode } from "./decode.js";
import { registerHmc } from "./hmc.js";
import { registerHostSim } from "./host-sim.js";
import { registerUp } from "./up.js";

// Run from dist/src/cli: the package's own package.json is three folders up.
const { version } = createRequire(import.meta.url)("../../../package.json") as { version: string };

const program = new Command()
  .name("hostbridge")
  .version(version)
  .description("PLDM host bridge for the VMI certificate exchange, its simulated host, and trace tools")
  .showHelpAfterError();

registerDecode(program);
registerHostSim(program);
registerCert(program);
registerHmc(program);
registerDaemon(program);
registerBmcServices(program);
registerUp(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`hostbridge: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
