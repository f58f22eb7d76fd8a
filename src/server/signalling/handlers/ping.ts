import type { Handler } from "./index";

/**
 * The client's liveness check (a browser cannot see WebSocket pings). Its
 * reply carries a fresh resume ticket now and then, so the one the client
 * holds never runs out while it is connected.
 */
export const ping: Handler<"ping"> = (session) => {
  const resume = session.refreshTicket();
  return resume ? { resume } : {};
};
