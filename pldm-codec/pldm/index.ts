export * from "./header.js";
export * from "./names.js";
export * from "./command.js";
export * from "./base.js";
export * from "./ibm-file-io.js";
export * from "./registry.js";
export * from "./message.js";
export * from "./json.js";
