export * from "./fields.js";
export * from "./struct.js";
