import { readdirSync } from "node:fs";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The layering table of docs/architecture.md, checked: which folders each folder's files may
 * import. Every folder but the codec may also import `pldm-codec/` and `src/log.ts`, and its
 * own files. A new folder under src/ needs a row here (lint fails until it has one).
 */
const ENGINE = ["src/os", "src/link", "src/mctp", "src/pldm", "src/dma", "src/files"];
const MAY_IMPORT = {
  "src/log.ts": [],
  "src/os": [],
  "src/link": ["src/os"],
  "src/mctp": ["src/os", "src/link"],
  "src/pldm": ["src/os", "src/mctp"],
  "src/dma": ["src/os"],
  "src/files": ["src/os", "src/pldm", "src/dma"],
  "src/dbus": ["src/os"],
  "src/x509": [],
  "src/hooks": ["src/os", "src/x509"],
  "src/api": [],
  "src/settings": [],
  "src/daemon": [...ENGINE, "src/dbus", "src/x509", "src/trace", "src/settings", "src/hooks"],
  "src/rest": ["src/os", "src/dbus", "src/x509", "src/api", "src/settings"],
  "src/trace": ["src/os", "src/link", "src/x509"],
  "src/hmc": ["src/os", "src/x509", "src/api"],
  "src/stack": ["src/os", "src/dbus"],
  "src/cli": "anything",
  "host-sim": [...ENGINE, "src/x509", "src/trace"],
};

/** Packages (and Node modules) that only their adapter folders may import. */
const ONLY_IN = {
  "dbus-next": ["src/dbus"],
  "node-pty": ["src/link"],
  fastify: ["src/rest"],
  "@peculiar/x509": ["src/x509"],
  "reflect-metadata": ["src/x509"],
  "binary-parser": ["src/trace"],
  commander: ["src/cli"],
  pino: ["src/log.ts"],
  ajv: ["src/settings"],
  "node:child_process": ["src/os", "src/link", "src/stack", "src/hooks"],
};

const rows = Object.keys(MAY_IMPORT);
for (const entry of readdirSync("src", { withFileTypes: true })) {
  const key = `src/${entry.name}`;
  if ((entry.isDirectory() || key.endsWith(".ts")) && !rows.includes(key)) {
    throw new Error(`eslint.config.js: ${key} has no row in MAY_IMPORT (and docs/architecture.md)`);
  }
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A relative specifier reaching `target` from any depth ("../os/clock.js", "../../src/os/clock.js", "../src/os/clock.js"). */
const reaching = (target) => (target.startsWith("src/") ? `^(\\.\\./)+(src/)?${escape(target.slice(4))}(/|$)` : `^(\\.\\./)+${escape(target)}(/|$)`);

function layeringRule(from) {
  const allowed = MAY_IMPORT[from];
  const internal = allowed === "anything" ? [] : rows.filter((t) => t !== from && !t.endsWith(".ts") && !allowed.includes(t));
  return {
    files: [from.endsWith(".ts") ? from : `${from}/**/*.ts`],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: Object.entries(ONLY_IN)
            .filter(([, owners]) => !owners.includes(from))
            .map(([name, owners]) => ({ name, message: `only ${owners.join(", ")} may import ${name} (docs/architecture.md)` })),
          patterns: internal.map((target) => ({
            regex: reaching(target),
            message: `${from} may not import ${target} (docs/architecture.md)`,
          })),
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", ".peers/", "native/*/build/", "src/daemon/daemon-settings.validators.ts"] },
  js.configs.recommended,
  // Type-aware: floating and misused promises, unsafe any, needless assertions are errors.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.ts"] }, tsconfigRootDir: import.meta.dirname },
    },
  },
  { files: ["**/*.js", "**/*.cjs", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
      // Async route handlers and implementations of async interfaces need no await of their own.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // vitest's asymmetric matchers (expect.stringMatching, ...) and JSON bodies are typed any.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  { files: ["**/*.ts"], rules: { "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }] } },
  ...rows.map(layeringRule),
  {
    // The codec is pure: no I/O, no Node built-ins, no timers, nothing from the rest of the tree.
    files: ["pldm-codec/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "net", "child_process"], message: "the codec is pure (docs/architecture.md)" },
            { regex: "^(\\.\\./)+(src|host-sim|test)/", message: "the codec imports nothing outside pldm-codec/ (docs/architecture.md)" },
          ],
        },
      ],
      "no-restricted-globals": ["error", "Buffer", "process", "setTimeout", "setInterval"],
    },
  },
);
