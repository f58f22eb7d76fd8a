/**
 * A media worker (the real module, imported first, as it starts) that then
 * opens an outgoing connection, as a careless dependency might: the egress
 * test checks the server's monitor sees it.
 */
import "../../src/server/media/workers/worker";

const target = process.env.PLENUM_TEST_EGRESS_URL;
if (target) await (await fetch(target)).text();
