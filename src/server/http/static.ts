import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import type { ClientBuild } from "../compliance/client-build";

/** Serves the built client; every page of the single-page app gets index.html. */
export async function registerClient(
  app: FastifyInstance,
  clientDir: string,
  /** The client's SHA-256, shown in the meeting's encryption details (docs/E2EE.md). */
  clientBuild: Promise<ClientBuild | null>,
): Promise<void> {
  if (!existsSync(join(clientDir, "index.html"))) {
    throw new Error(
      `The web client is not built (no ${clientDir}/index.html). Run "npm run build" first.`,
    );
  }
  await app.register(fastifyStatic, { root: clientDir, index: ["index.html"], wildcard: false });
  app.get("/api/client-build", async (_request, reply) => {
    const build = await clientBuild;
    if (!build) return reply.code(404).send({ code: "not-found", message: "No client build." });
    return build;
  });
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
