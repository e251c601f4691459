export { BaseLink, type SerialLink, type SerialLinkEvents, type LinkEventMap } from "./serial-link.js";
export { MemoryLink, createMemoryLinkPair } from "./memory-link.js";
export {
  PtyChildLink,
  PtyChildError,
  spawnPtyChild,
  type PtyChildOptions,
  type PtyChildExit,
  type PtyChildLinkEvents,
} from "./pty-child-link.js";
export { TtyDeviceLink, TtyDeviceError, openTtyDevice, type TtyDeviceOptions } from "./tty-device-link.js";
export { StreamLink } from "./stream-link.js";
export { openStdioLink } from "./stdio-link.js";
export { PacedLink, pace, type PaceOptions } from "./paced-link.js";
export { FaultInjectingLink, injectFaults, type FaultOptions, type FaultStats } from "./fault-injecting-link.js";
export { TermiosError } from "./termios.js";
