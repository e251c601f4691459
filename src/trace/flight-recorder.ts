/**
 * pldmd's flight recorder dump: a ring buffer written slot by slot, so after a wrap the
 * oldest records sit in the middle. A run of dumped records is held and put back in time
 * order before it is decoded, so pairing sees requests before their answers.
 */
import { timeToMs } from "./time.js";
import type { EventSink, TraceEvent } from "./trace-event.js";

/** pldmd's ring holds 10 by default; a larger run is sorted in pieces of this size to bound memory. */
const MAX_RUN = 65_536;

export class FlightRecorderRun {
  private run: { ms: number; seq: number; event: TraceEvent }[] = [];

  add(event: TraceEvent, out: EventSink): void {
    this.run.push({ ms: timeToMs(event.time) ?? Number.POSITIVE_INFINITY, seq: this.run.length, event });
    if (this.run.length >= MAX_RUN) this.flush(out);
  }

  get size(): number {
    return this.run.length;
  }

  /** The held records in time order (records without a time keep their place at the end). */
  flush(out: EventSink): void {
    if (!this.run.length) return;
    this.run.sort((a, b) => a.ms - b.ms || a.seq - b.seq);
    for (const r of this.run) out.push(r.event);
    this.run = [];
  }
}
