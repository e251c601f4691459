/**
 * A connected AF_UNIX SOCK_SEQPACKET socket (Node has none), through the project's small
 * N-API addon in native/seqpacket (see docs/decisions.md for why not node-unix-socket).
 * Message boundaries are kept: one send() is one packet at the far end, one `packet`
 * event is one packet from it.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EventEmitter } from "eventemitter3";

interface SeqpacketAddon {
  connect(name: Uint8Array): number;
  send(fd: number, packet: Uint8Array): boolean;
  watch(fd: number, onPacket: (packet: Buffer | null, errno: number) => void): unknown;
  unwatch(handle: unknown): void;
  close(fd: number): void;
}

export class SeqpacketError extends Error {
  override readonly name = "SeqpacketError";
  constructor(
    readonly reason: "no-addon" | "connect" | "send",
    message: string,
    readonly errno?: number,
  ) {
    super(message);
  }
}

const ADDON = join("native", "seqpacket", "build", "Release", "seqpacket.node");
let addon: SeqpacketAddon | null = null;

/** Loads the addon from the project root, found upwards from here (dist/src/link or src/link). */
function loadAddon(): SeqpacketAddon {
  if (addon) return addon;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ADDON))) return (addon = createRequire(import.meta.url)(join(dir, ADDON)) as SeqpacketAddon);
    if (dirname(dir) === dir) break;
  }
  throw new SeqpacketError("no-addon", `${ADDON} is not built: run npm install (it runs node-gyp), or npm run build:native`);
}

/** "\0name" (or "@name") is an abstract socket name; anything else is a path. */
export function socketName(name: string): Uint8Array {
  const abstract = name.startsWith("\0") || name.startsWith("@");
  const bytes = new TextEncoder().encode(abstract ? name.slice(1) : name);
  const out = new Uint8Array(bytes.length + (abstract ? 1 : 0));
  out.set(bytes, abstract ? 1 : 0);
  return out;
}

/** How a name reads in logs: an abstract one with a leading "@", as ss(8) shows it. */
export const printableSocketName = (name: string): string => (name.startsWith("\0") ? `@${name.slice(1)}` : name);

export interface SeqpacketEvents {
  packet: (packet: Uint8Array) => void;
  /** Once, when the far end closed or the socket failed; errno 0 is an orderly close. */
  close: (errno: number) => void;
}

export class SeqpacketSocket extends EventEmitter<SeqpacketEvents> {
  private fd: number;
  private watch: unknown;

  private constructor(
    private readonly native: SeqpacketAddon,
    fd: number,
  ) {
    super();
    this.fd = fd;
    this.watch = native.watch(fd, (packet, errno) => {
      if (packet) this.emit("packet", new Uint8Array(packet.buffer, packet.byteOffset, packet.length));
      else this.shut(errno);
    });
  }

  /** Connects at once (a local connect does not wait) or throws a SeqpacketError saying why. */
  static connect(name: string): SeqpacketSocket {
    const native = loadAddon();
    try {
      return new SeqpacketSocket(native, native.connect(socketName(name)));
    } catch (e) {
      const err = e as Error & { errno?: number };
      throw new SeqpacketError("connect", `${printableSocketName(name)}: ${err.message}`, err.errno);
    }
  }

  get isOpen(): boolean {
    return this.fd >= 0;
  }

  /** Sends one packet: true when sent, false when the socket is full or closed (the caller counts it lost). */
  send(packet: Uint8Array): boolean {
    if (this.fd < 0) return false;
    try {
      return this.native.send(this.fd, packet);
    } catch (e) {
      this.shut((e as { errno?: number }).errno ?? -1);
      return false;
    }
  }

  close(): void {
    this.shut(0);
  }

  private shut(errno: number): void {
    if (this.fd < 0) return;
    this.native.unwatch(this.watch);
    this.native.close(this.fd);
    this.fd = -1;
    this.emit("close", errno);
  }
}
