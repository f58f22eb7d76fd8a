import { z } from "zod";

/**
 * zod compiles schemas with `new Function` when it may; our CSP forbids eval,
 * so each try would be refused and reported as a violation. The shared
 * protocol schemas run interpreted in the browser instead. Imported first.
 */
z.config({ jitless: true });
