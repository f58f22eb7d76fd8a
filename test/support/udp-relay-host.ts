/**
 * Runs a UdpRelay in a process of its own, started by udp-relay-process.ts
 * inside a test network's client namespace (where the test's own process
 * cannot bind), and obeys the commands that arrive over IPC.
 */
import { type RelayOptions, UdpRelay } from "./udp-relay";
import type { RelayCommand, RelayReply } from "./udp-relay-process";

const reply = (message: RelayReply) => process.send?.(message);
const options = JSON.parse(process.argv[2] ?? "{}") as RelayOptions;
const started = process.cpuUsage();

async function main(): Promise<void> {
  const relay = await UdpRelay.start(options);
  const stop = async () => {
    await relay.close();
    process.disconnect?.();
  };
  // The test died or hung up: nobody will ever close the relay otherwise.
  process.on("disconnect", () => void relay.close().then(() => process.exit(0)));
  process.on("message", (command: RelayCommand) => {
    try {
      switch (command.op) {
        case "impair":
          relay.impair(command.impairment, command.direction);
          return reply({ id: command.id, ok: true });
        case "clear":
          relay.clear();
          return reply({ id: command.id, ok: true });
        case "counters": {
          const cpu = process.cpuUsage(started);
          const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
          return reply({ id: command.id, ok: true, counters: { ...relay.counters(), cpuMs } });
        }
        case "close":
          reply({ id: command.id, ok: true });
          return void stop();
      }
    } catch (error) {
      reply({ id: command.id, ok: false, error: (error as Error).message });
    }
  });
  reply({ id: 0, ok: true });
}

main().catch((error: Error) => {
  reply({ id: 0, ok: false, error: error.message });
  process.disconnect?.();
});
