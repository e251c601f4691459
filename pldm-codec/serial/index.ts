export * from "./crc16.js";
export * from "./frame-encoder.js";
export * from "./serial-deframer.js";
