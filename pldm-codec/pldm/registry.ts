import { BASE_COMMANDS } from "./base.js";
import { CommandRegistry } from "../wire/command.js";
import { IBM_FILE_IO_COMMANDS } from "./ibm-file-io.js";
import { NAMED_ONLY_COMMANDS } from "./names.js";
import { PLATFORM_COMMANDS } from "./platform.js";

/** Every command this codec can decode field by field. */
export const defaultRegistry = new CommandRegistry([...BASE_COMMANDS, ...IBM_FILE_IO_COMMANDS, ...PLATFORM_COMMANDS]);

export function commandName(type: number, command: number, registry: CommandRegistry = defaultRegistry): string | null {
  return registry.get(type, command)?.name ?? NAMED_ONLY_COMMANDS[type]?.[command] ?? null;
}
