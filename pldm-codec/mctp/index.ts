export * from "./packet.js";
export * from "./fragmenter.js";
export * from "./reassembler.js";
export * from "./control.js";
