/** `--link KIND[:ARG]`: the links that are not a byte line we own (today: libmctp's demux daemon). */
import { InvalidArgumentError } from "commander";
import { DEFAULT_DEMUX_SOCKET } from "../mctp/mctp-demux-transport.js";

export interface DemuxLinkSpec {
  kind: "mctp-demux";
  /** "\0name" abstract, else a path. */
  socket: string;
}

export const LINK_OPTION_HELP =
  'mctp-demux[:SOCKET]: a client of libmctp\'s mctp-demux-daemon (default the abstract socket @mctp-mux; "@name" is abstract, else a path)';

/** "mctp-demux", "mctp-demux:@name" or "mctp-demux:/run/x.sock". */
export function parseLinkOption(value: string): DemuxLinkSpec {
  const [kind, ...rest] = value.split(":");
  if (kind !== "mctp-demux") throw new InvalidArgumentError(`unknown link "${value}": expected ${LINK_OPTION_HELP}`);
  const arg = rest.join(":");
  if (rest.length > 0 && arg.length === 0) throw new InvalidArgumentError("mctp-demux: give a socket after the colon, or none for @mctp-mux");
  const socket = arg === "" ? DEFAULT_DEMUX_SOCKET : arg.startsWith("@") ? `\0${arg.slice(1)}` : arg;
  if (new TextEncoder().encode(socket).length > 108) throw new InvalidArgumentError("mctp-demux: a socket name has at most 108 bytes");
  return { kind: "mctp-demux", socket };
}
