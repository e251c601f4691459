/** The pty pair under its old name (socat made it once; node-pty does now, see link-pty-pair.ts). */
export { startPtyPair as startSocatPair, type PtyPair as SocatPair } from "./link-pty-pair.js";
