import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Serves the built client; every page of the single-page app gets index.html. */
export async function registerClient(app: FastifyInstance, clientDir: string): Promise<void> {
  if (!existsSync(join(clientDir, "index.html"))) {
    throw new Error(
      `The web client is not built (no ${clientDir}/index.html). Run "npm run build" first.`,
    );
  }
  await app.register(fastifyStatic, { root: clientDir, index: ["index.html"], wildcard: false });
  app.get("/r/:id", (_request, reply) => reply.sendFile("index.html"));
  app.get("/login", (_request, reply) => reply.sendFile("index.html"));
  app.get("/my", (_request, reply) => reply.sendFile("index.html"));
  app.get("/admin/compliance", (_request, reply) => reply.sendFile("index.html"));
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith("/api/"))
      return reply.code(404).send({ code: "not-found", message: "No such API route." });
    return reply.code(404).type("text/plain").send("Not found");
  });
}
