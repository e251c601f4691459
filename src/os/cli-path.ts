/** Where the built `hostbridge` entry point is, whether we run from dist/ or from sources (tests). */
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url)); // <root>/src/os or <root>/dist/src/os
const root = resolve(here, "..", "..");
export const CLI_PATH = root.endsWith(`${sep}dist`) ? resolve(root, "src", "cli", "main.js") : resolve(root, "dist", "src", "cli", "main.js");
