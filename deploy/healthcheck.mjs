// The container's health check: /readyz on this server, over HTTPS when
// Plenum terminates TLS itself. Exit 0 = ready, 1 = not.
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";

const https = Boolean(process.env.PLENUM_TLS_CERT);
const port = process.env.PLENUM_PORT ?? "8080";
const get = https ? httpsGet : httpGet;
// The certificate is for the public name, not for 127.0.0.1; the check is about liveness.
const request = get(
  `${https ? "https" : "http"}://127.0.0.1:${port}/readyz`,
  { rejectUnauthorized: false, timeout: 4000 },
  (response) => process.exit(response.statusCode === 200 ? 0 : 1),
);
request.on("error", () => process.exit(1));
request.on("timeout", () => request.destroy());
