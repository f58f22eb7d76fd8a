import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from "werift";
import { waitFor } from "../../../../../test/support/wait";
import { loopbackPeerConfig } from "../../../../../test/support/werift-client";
import { peerConfig } from "../config";
import { installIceRestart, needsIceStart, type RestartableDtls } from "./ice-restart";

/** The ICE agent of a max-bundle connection (werift's private state, read for the test). */
function iceOf(pc: RTCPeerConnection): {
  localUsername: string;
  remoteUsername: string;
  nominated?: { remoteCandidate: unknown };
} {
  const [dtls] = (pc as unknown as { dtlsTransports: RestartableDtls[] }).dtlsTransports;
  if (!dtls) throw new Error("no transport");
  return dtls.iceTransport.connection as never;
}

/**
 * The SFU's side (ICE-lite, our settings) and a werift full agent, as the
 * headless test clients are: `server` sends video, `client` counts it.
 */
async function pair(direction: "downstream" | "upstream") {
  const server = new RTCPeerConnection(
    peerConfig({ addresses: ["127.0.0.1"], portRange: undefined }, direction),
  );
  const client = new RTCPeerConnection(await loopbackPeerConfig());
  const track = new MediaStreamTrack({ kind: "video" });
  let received = 0;
  const sender = direction === "downstream" ? server : client;
  const receiver = direction === "downstream" ? client : server;
  sender.addTransceiver(track, { direction: "sendonly" });
  receiver.onTrack.subscribe((t) => t.onReceiveRtp.subscribe(() => received++));
  let seq = 0;
  const timer = setInterval(() => {
    seq = (seq + 1) & 0xffff;
    const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, ssrc: 4242 });
    track.writeRtp(new RtpPacket(header, Buffer.alloc(200, 7)));
  }, 10);
  /** One offer/answer; the offerer restarts ICE when asked (the server offers downstream). */
  const negotiate = async (iceRestart: boolean) => {
    const [offerer, answerer] = direction === "downstream" ? [server, client] : [client, server];
    await offerer.setLocalDescription(await offerer.createOffer({ iceRestart }));
    await answerer.setRemoteDescription(offerer.localDescription as never);
    await answerer.setLocalDescription(await answerer.createAnswer());
    await offerer.setRemoteDescription(answerer.localDescription as never);
  };
  const flowing = async (what: string) => {
    const from = received;
    await waitFor(what, () => received >= from + 50, { timeoutMs: 20_000 });
  };
  return {
    server,
    client,
    negotiate,
    flowing,
    async close() {
      clearInterval(timer);
      await Promise.allSettled([server.close(), client.close()]);
    },
  };
}

describe("ICE restart on werift (ice-restart.ts)", () => {
  const open: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.allSettled(open.map((p) => p.close()));
  });

  it("starts ICE again only where a restart left DTLS up and no pair selected", () => {
    const dtls = (state: Partial<RestartableDtls["iceTransport"]> = {}, dtlsState = "connected") =>
      ({
        state: dtlsState,
        iceTransport: {
          state: "completed",
          connection: { earlyChecksDone: false, remoteUsername: "abcd", remotePassword: "secret" },
          start: async () => undefined,
          ...state,
        },
      }) as RestartableDtls;
    assert.equal(needsIceStart(dtls()), true, "restarted: DTLS up, no pair, not started");
    assert.equal(needsIceStart(dtls({}, "connecting")), false, "the first connection");
    assert.equal(needsIceStart(dtls({ waitStart: {} })), false, "already starting");
    assert.equal(
      needsIceStart(
        dtls({
          connection: {
            nominated: {},
            earlyChecksDone: true,
            remoteUsername: "a",
            remotePassword: "b",
          },
        }),
      ),
      false,
      "a pair is selected: a renegotiation without restart",
    );
    assert.equal(
      needsIceStart(
        dtls({ connection: { earlyChecksDone: true, remoteUsername: "a", remotePassword: "b" } }),
      ),
      false,
      "a renomination: ICE runs, the next nominated pair is taken",
    );
    assert.equal(
      needsIceStart(
        dtls({ connection: { earlyChecksDone: false, remoteUsername: "", remotePassword: "" } }),
      ),
      false,
      "no answer yet",
    );
    assert.equal(needsIceStart(dtls({ state: "closed" })), false);
  });

  for (const direction of ["downstream", "upstream"] as const) {
    it(`carries media again after ICE restarts, ${direction} (the SFU ICE-lite), on the same connection`, async () => {
      installIceRestart();
      const p = await pair(direction);
      open.push(p);
      await p.negotiate(false);
      await p.flowing("media before any restart");
      for (let restart = 1; restart <= 2; restart++) {
        const before = iceOf(p.server).localUsername;
        await p.negotiate(true);
        const server = iceOf(p.server);
        assert.notEqual(server.localUsername, before, "the restart gave the SFU a new ufrag");
        assert.equal(iceOf(p.client).remoteUsername, server.localUsername);
        await p.flowing(`media after ICE restart ${restart}`);
        await waitFor("the SFU to select a pair of the new generation", () => server.nominated);
        // Downstream asks for key frames on this (the DTLS-level state never changed).
        await waitFor("the SFU's ICE to be connected again", () =>
          p.server.iceConnectionState === "connected" ? true : undefined,
        );
        assert.equal(p.server.connectionState, "connected");
      }
    });
  }
});
