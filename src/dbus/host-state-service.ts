/**
 * xyz.openbmc_project.State.Host at /xyz/openbmc_project/state/host0, as OpenBMC's
 * phosphor-state-manager presents it: writing RequestedHostTransition (On, Off, Reboot)
 * drives the host's power and CurrentHostState follows what the host reports.
 */
import { silentLogger, type Logger } from "../log.js";
import { systemClock, type Clock, type Timer } from "../os/clock.js";
import type { BusConnection } from "./bus-connection.js";
import { invalidEnumString, type ExportedObject } from "./exported-object.js";
import { HostState } from "./names.js";

/** What powers the host: host-sim's control socket locally. */
export interface HostPower {
  on(): Promise<void>;
  off(): Promise<void>;
  reboot(): Promise<void>;
  /** Whether the host is powered now. */
  isOn(): Promise<boolean>;
}

const TRANSITIONS = new Set<string>(Object.values(HostState.transition));

export class HostStateService {
  private obj!: ExportedObject;
  private timer: Timer | null = null;
  private closed = false;
  private busy: Promise<void> = Promise.resolve();

  private constructor(
    private readonly power: HostPower,
    private readonly log: Logger,
  ) {}

  static async start(bus: BusConnection, power: HostPower, opts: { log?: Logger; pollMs?: number; clock?: Clock } = {}): Promise<HostStateService> {
    const svc = new HostStateService(power, opts.log ?? silentLogger);
    const on = await power.isOn().catch(() => false);
    svc.obj = bus.exportObject(HostState.path, [
      {
        name: HostState.iface,
        properties: {
          RequestedHostTransition: {
            type: "s",
            value: on ? HostState.transition.On : HostState.transition.Off,
            access: "readwrite",
            onSet: (v) => svc.request(String(v)),
          },
          CurrentHostState: { type: "s", value: on ? HostState.state.Running : HostState.state.Off, access: "read" },
        },
      },
    ]);
    await bus.requestName(HostState.service);
    // The host can change on its own (crash, a reboot from its side): follow it.
    const clock = opts.clock ?? systemClock;
    const poll = () => {
      if (svc.closed) return;
      svc.timer = clock.after(opts.pollMs ?? 1000, () => void svc.refresh().finally(poll));
    };
    poll();
    return svc;
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }

  private request(transition: string): string {
    if (!TRANSITIONS.has(transition)) throw invalidEnumString();
    const target = transition === HostState.transition.Off ? HostState.state.TransitioningToOff : HostState.state.TransitioningToRunning;
    this.obj.set(HostState.iface, "CurrentHostState", target);
    this.busy = this.busy
      .then(async () => {
        if (transition === HostState.transition.On) await this.power.on();
        else if (transition === HostState.transition.Off) await this.power.off();
        else await this.power.reboot();
        this.log.info({ transition }, "host transition done");
      })
      .catch((e: unknown) => this.log.error({ transition, err: (e as Error).message }, "host transition failed"))
      .then(() => this.refresh());
    return transition;
  }

  private async refresh(): Promise<void> {
    try {
      const on = await this.power.isOn();
      this.obj.set(HostState.iface, "CurrentHostState", on ? HostState.state.Running : HostState.state.Off);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "cannot read the host power state");
    }
  }
}
