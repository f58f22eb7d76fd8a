import { z } from "zod";

/*
 * zod probes `Function("")` when it builds an object schema, to decide whether to
 * compile its parsers. Our CSP has no 'unsafe-eval', so the probe is blocked and
 * reported as a CSP violation on every page (found by test/e2e/hostile-xss.test.ts).
 * Interpreted parsing is fast enough for what a client validates.
 */
z.config({ jitless: true });
