import { classifyQuality, type Quality, SpeakerDetector } from "./speaker";

/** What the monitor needs to read: the connections and who is behind each m-line. */
export interface StatsSources {
  publisher(): RTCPeerConnection | undefined;
  subscriber(): RTCPeerConnection | undefined;
  ownerOf(mid: string): { participantId: string; source: string } | undefined;
  /** The own microphone's level, measured locally; undefined when it is off. */
  localLevel(): number | undefined;
  selfId(): string | undefined;
}

export interface StatsResult {
  activeSpeaker: string | undefined;
  /** Per participant id (the own id included). */
  quality: Record<string, Quality>;
}

const LEVEL_INTERVAL_MS = 300;
/** Quality is judged over a longer window, so a single lost packet does not alarm anyone. */
const QUALITY_EVERY = 7;

interface Counters {
  received: number;
  lost: number;
}

/**
 * Reads getStats regularly: audio levels of everyone received (inbound-rtp
 * `audioLevel`) and the own microphone, for active speaker detection; loss and
 * round-trip time for each participant's connection-quality indicator.
 */
export class StatsMonitor {
  private readonly detector = new SpeakerDetector();
  private readonly levels = new Map<string, number>();
  private previous = new Map<string, Counters>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private tick = 0;
  private busy = false;
  private result: StatsResult = { activeSpeaker: undefined, quality: {} };

  constructor(
    private readonly sources: StatsSources,
    private readonly onChange: (result: StatsResult) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), LEVEL_INTERVAL_MS);
  }

  /** The latest audio level of a participant (0..1), for level displays. */
  levelOf(participantId: string): number {
    return this.levels.get(participantId) ?? 0;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const withQuality = this.tick++ % QUALITY_EVERY === 0;
      const inbound = await this.readInbound(withQuality);
      const quality = withQuality ? await this.qualities(inbound) : this.result.quality;
      const activeSpeaker = this.detector.update(this.levels, Date.now());
      const changed =
        activeSpeaker !== this.result.activeSpeaker ||
        JSON.stringify(quality) !== JSON.stringify(this.result.quality);
      this.result = { activeSpeaker, quality };
      if (changed) this.onChange(this.result);
    } catch {
      // A connection closing mid-read; the next tick reads the new state.
    } finally {
      this.busy = false;
    }
  }

  private async readInbound(withCounters: boolean): Promise<Map<string, Counters>> {
    const counters = new Map<string, Counters>();
    this.levels.clear();
    const self = this.sources.selfId();
    const local = this.sources.localLevel();
    if (self !== undefined && local !== undefined) this.levels.set(self, local);
    const pc = this.sources.subscriber();
    if (!pc) return counters;
    (await pc.getStats()).forEach((s: RTCInboundRtpStreamStats & { mid?: string }) => {
      if (s.type !== "inbound-rtp" || s.mid === undefined) return;
      const owner = this.sources.ownerOf(s.mid);
      if (!owner) return;
      if (s.kind === "audio") this.levels.set(owner.participantId, s.audioLevel ?? 0);
      if (!withCounters) return;
      const c = counters.get(owner.participantId) ?? { received: 0, lost: 0 };
      c.received += s.packetsReceived ?? 0;
      c.lost += Math.max(0, s.packetsLost ?? 0);
      counters.set(owner.participantId, c);
    });
    return counters;
  }

  private async qualities(inbound: Map<string, Counters>): Promise<Record<string, Quality>> {
    const quality: Record<string, Quality> = {};
    const downRtt = await roundTrip(this.sources.subscriber());
    for (const [id, now] of inbound) {
      const before = this.previous.get(id) ?? { received: 0, lost: 0 };
      const received = now.received - before.received;
      const lost = now.lost - before.lost;
      const loss = received + lost > 0 ? lost / (received + lost) : 0;
      quality[id] = classifyQuality(loss, downRtt);
    }
    this.previous = inbound;
    const self = this.sources.selfId();
    const up = this.sources.publisher();
    if (self !== undefined && up) {
      let loss = 0;
      (await up.getStats()).forEach((s: { type: string; fractionLost?: number }) => {
        if (s.type === "remote-inbound-rtp") loss = Math.max(loss, s.fractionLost ?? 0);
      });
      quality[self] = classifyQuality(loss, await roundTrip(up));
    }
    return quality;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The round-trip time of the connection's selected candidate pair, in seconds. */
async function roundTrip(pc: RTCPeerConnection | undefined): Promise<number | undefined> {
  if (!pc || pc.connectionState === "closed") return undefined;
  let rtt: number | undefined;
  (await pc.getStats()).forEach((s: RTCIceCandidatePairStats) => {
    if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined)
      rtt = s.currentRoundTripTime;
  });
  return rtt;
}
