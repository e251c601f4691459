#!/usr/bin/env node
/** `hostbridge`: one binary, one sub-command per part. */
import { Command } from "commander";
import { registerBmcServices } from "./bmc-services.js";
import { registerCert } from "./cert.js";
import { registerDaemon } from "./daemon.js";
import { registerDecode } from "./decode.js";
import { registerHmc } from "./hmc.js";
import { registerHostSim } from "./host-sim.js";
import { registerUp } from "./up.js";

const program = new Command()
  .name("hostbridge")
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
