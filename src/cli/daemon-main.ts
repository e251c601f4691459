/**
 * The daemon's own entry point, which `npm run build` bundles with all of its code into
 * dist/hostbridge-daemon.cjs: one CommonJS file rests in ~1.7 MB less memory than the ~100
 * ES modules it replaces (docs/decisions.md). It takes what `hostbridge daemon` takes.
 */
import { Command } from "commander";
import { registerDaemon } from "./daemon.js";

const program = new Command().name("hostbridge").showHelpAfterError();
registerDaemon(program);
program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`hostbridge: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
