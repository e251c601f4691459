/**
 * The mctp-demux client's own rules, on a fake socket and a manual clock: registration,
 * packet layout, reconnect with backoff, and what it drops. The real daemon is in
 * demux-interop.test.ts.
 */
import { EventEmitter } from "eventemitter3";
import { describe, expect, it } from "vitest";
import { SeqpacketError, SeqpacketSocket, socketName, type SeqpacketEvents } from "../../src/link/seqpacket-socket.js";
import { MctpDemuxTransport } from "../../src/mctp/mctp-demux-transport.js";
import type { MctpMessage } from "../../src/mctp/mctp-transport.js";
import { ManualClock } from "../../src/os/clock.js";
import { parseLinkOption } from "../../src/cli/link-option.js";

class FakeSocket extends EventEmitter<SeqpacketEvents> {
  readonly sent: number[][] = [];
  open = true;
  send(p: Uint8Array): boolean {
    if (!this.open) return false;
    this.sent.push([...p]);
    return true;
  }
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.emit("close", 0);
  }
}

function fakeDemux() {
  const sockets: FakeSocket[] = [];
  let up = true;
  const attempts: number[] = [];
  const clock = new ManualClock();
  const connect = (name: string): SeqpacketSocket => {
    attempts.push(clock.now());
    expect(name).toBe("\0mctp-mux");
    if (!up) throw new SeqpacketError("connect", "@mctp-mux: connect: Connection refused", 111);
    const s = new FakeSocket();
    sockets.push(s);
    return s as unknown as SeqpacketSocket;
  };
  return { sockets, attempts, clock, connect, setUp: (v: boolean) => (up = v) };
}

describe("mctp-demux transport", () => {
  it("registers for PLDM with one byte, then sends [eid][type][body] packets", () => {
    const d = fakeDemux();
    const t = new MctpDemuxTransport({ localEid: 8, clock: d.clock, connect: d.connect });
    t.send(9, 1, Uint8Array.of(0x81, 0x3f, 0x06), { tag: 3, tagOwner: true });
    expect(d.sockets[0]!.sent).toEqual([[1], [9, 1, 0x81, 0x3f, 0x06]]);
    expect(t.stats()).toMatchObject({ linkState: "up", txMessages: 1, txBytes: 5, serial: null });
    t.close();
  });

  it("hands up PLDM messages with their source EID and drops short packets and other types", () => {
    const d = fakeDemux();
    const t = new MctpDemuxTransport({ localEid: 8, clock: d.clock, connect: d.connect });
    const got: MctpMessage[] = [];
    t.on("pldm", (m) => got.push(m));
    const s = d.sockets[0]!;
    s.emit("packet", Uint8Array.of(9, 1, 0x01, 0x3f, 0x06, 0x00));
    s.emit("packet", Uint8Array.of(9, 1));
    s.emit("packet", Uint8Array.of(9, 0x7e, 0, 0));
    s.emit("packet", Uint8Array.of(8, 1, 0x81, 0x3f, 0x0a)); // another local client to EID 8
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ src: 9, dest: 8, tag: 0, tagOwner: true, messageType: 1 });
    expect([...got[0]!.body]).toEqual([0x01, 0x3f, 0x06, 0x00]);
    expect(t.stats()).toMatchObject({ rxMessages: 1, badPackets: 1, unknownType: 1, notForUs: 1 });
    t.close();
  });

  it("reconnects with doubling backoff while the daemon is down, registers again, and says so", () => {
    const d = fakeDemux();
    const t = new MctpDemuxTransport({ localEid: 8, clock: d.clock, connect: d.connect, backoffMs: 100, maxBackoffMs: 400 });
    const states: string[] = [];
    t.on("link-state", (s) => states.push(s));
    d.setUp(false);
    d.sockets[0]!.close(); // the daemon went away
    expect(t.stats().linkState).toBe("connecting");
    t.send(9, 1, Uint8Array.of(0x81, 0, 2), { tag: 0, tagOwner: true });
    expect(t.stats().txDropped).toBe(1);
    d.clock.advance(100 + 200 + 400 + 400);
    expect(d.attempts).toEqual([0, 100, 300, 700, 1100]);
    d.setUp(true);
    d.clock.advance(400);
    expect(states).toEqual(["connecting", "up"]);
    expect(d.sockets[1]!.sent).toEqual([[1]]);
    expect(t.stats()).toMatchObject({ linkState: "up", reconnects: 1 });
    // A later loss starts again from the first delay.
    d.sockets[1]!.close();
    d.clock.advance(100);
    expect(d.sockets).toHaveLength(3);
    t.close();
    expect(t.stats().linkState).toBe("down");
    d.clock.advance(10_000);
    expect(d.sockets).toHaveLength(3);
  });

  it("says why the real socket cannot connect: nobody on an abstract name, no such path", () => {
    const refused = (name: string) => {
      try {
        SeqpacketSocket.connect(name);
      } catch (e) {
        return e as SeqpacketError;
      }
      throw new Error(`connected to ${name}`);
    };
    const abstract = refused(`\0hostbridge-test-nobody-${process.pid}`);
    expect(abstract).toBeInstanceOf(SeqpacketError);
    expect(abstract.message).toMatch(/^@hostbridge-test-nobody-\d+: connect: Connection refused$/);
    expect(abstract.errno).toBe(111);
    expect(refused("/nonexistent/mctp.sock").message).toMatch(/No such file or directory/);
  });

  it("parses --link and socket names", () => {
    expect(parseLinkOption("mctp-demux")).toEqual({ kind: "mctp-demux", socket: "\0mctp-mux" });
    expect(parseLinkOption("mctp-demux:@other")).toEqual({ kind: "mctp-demux", socket: "\0other" });
    expect(parseLinkOption("mctp-demux:/run/m.sock")).toEqual({ kind: "mctp-demux", socket: "/run/m.sock" });
    expect(() => parseLinkOption("af-mctp")).toThrow(/unknown link/);
    expect(() => parseLinkOption("mctp-demux:")).toThrow(/socket after the colon/);
    expect([...socketName("\0ab")]).toEqual([0, 0x61, 0x62]);
    expect([...socketName("@ab")]).toEqual([0, 0x61, 0x62]);
    expect([...socketName("/x")]).toEqual([0x2f, 0x78]);
  });
});
