import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { destinationsIn, problemWith } from "../support/egress";
import { createRoom } from "../support/server";
import { startTracedServer, type TracedServer } from "../support/traced-server";
import { WeriftClient } from "../support/werift-client";

/**
 * The privacy promise, checked at the system-call level: during a whole
 * meeting, the server process tries to reach nothing but this machine, and
 * looks up no name. werift's silent Google STUN fallback, a CDN, a telemetry
 * call or a DNS query would each show up here as a connect or send.
 */
describe("egress: a meeting reaches nothing beyond this machine", () => {
  let server: TracedServer;
  const clients: WeriftClient[] = [];
  let log = "";

  before(async () => {
    server = await startTracedServer();
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  it("holds a meeting with media flowing both ways for a few seconds", async () => {
    const room = await createRoom(server.url, { lobby: false });
    const alice = await WeriftClient.connect(server.url, "Alice");
    const bob = await WeriftClient.connect(server.url, "Bob");
    clients.push(alice, bob);
    await alice.join(room.id);
    await bob.join(room.id);
    await Promise.all([alice.publish(), bob.publish()]);
    await alice.setMedia({ audio: true, video: true });
    // 90 video packets at 30 fps: three seconds of meeting, whatever the box's speed.
    await Promise.all([alice.waitForMediaFrom(bob.id, 90), bob.waitForMediaFrom(alice.id, 90)]);
    await bob.leave();
    await Promise.all(clients.map((c) => c.close()));
    log = await server.stop();
  });

  it("recorded the meeting's own traffic (so the trace saw what it had to)", () => {
    const udpToLoopback = destinationsIn(log).filter(
      (d) =>
        d.family === "AF_INET" && d.address === "127.0.0.1" && /sendm?m?sg|sendto/.test(d.line),
    );
    assert.ok(
      udpToLoopback.length > 100,
      `only ${udpToLoopback.length} sends to 127.0.0.1 were traced`,
    );
  });

  it("tried to reach no address but loopback, and looked up no name", () => {
    // One example line per kind of problem: a DNS retry loop is one finding, not fifty.
    const problems = new Map<string, string>();
    for (const d of destinationsIn(log)) {
      const problem = problemWith(d);
      if (problem && !problems.has(problem)) problems.set(problem, d.line);
    }
    const report = [...problems].map(([problem, line]) => `  ${problem}\n    ${line}`).join("\n");
    assert.equal(problems.size, 0, `the server reached beyond this machine:\n${report}`);
  });
});

describe("egress: the check itself", () => {
  // Lines as strace prints them for what a leak would look like, so this test cannot pass vacuously.
  const leaks = [
    '9 connect(23, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
    '9 sendmmsg(23, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=""..., iov_len=34}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=34}], 2, MSG_NOSIGNAL) = 2',
    '7 sendmsg(21, {msg_name={sa_family=AF_INET, sin_port=htons(19302), sin_addr=inet_addr("74.125.250.129")}, msg_namelen=16, msg_iov=[{iov_base=""..., iov_len=20}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = -1 EINVAL (Invalid argument)',
    '7 connect(24, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH (Network is unreachable)',
    '8 connect(25, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)',
  ].join("\n");
  const fine = [
    '7 sendmsg(21, {msg_name={sa_family=AF_INET, sin_port=htons(40001), sin_addr=inet_addr("127.0.0.1")}, msg_namelen=16, msg_iov=[{iov_base=""..., iov_len=120}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 120',
    '7 connect(22, {sa_family=AF_INET6, sin6_port=htons(8080), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
    "7 sendto(5, [{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=1, nlmsg_pid=0}, {ifa_family=AF_UNSPEC}], 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20",
    '7 connect(26, {sa_family=AF_UNIX, sun_path="/tmp/tsx-0/123.pipe"}, 110) = 0',
  ].join("\n");

  it("flags a DNS query, STUN to Google, a public IPv6 address and a resolver socket", () => {
    const flagged = destinationsIn(leaks).map(problemWith);
    assert.equal(flagged.length, 4);
    assert.ok(flagged.every((p) => p !== undefined));
    assert.match(flagged[0] ?? "", /DNS/);
    assert.match(flagged[1] ?? "", /74\.125\.250\.129/);
  });

  it("lets loopback, netlink and local pipes pass", () => {
    const found = destinationsIn(fine);
    assert.equal(found.length, 4);
    assert.deepEqual(found.map(problemWith), [undefined, undefined, undefined, undefined]);
  });
});
