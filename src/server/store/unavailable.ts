/**
 * The database could not be reached (PostgreSQL down, restarting, or the
 * network to it gone). Requests that need it fail with this, so people get
 * "try again in a moment" instead of "something went wrong"; the failure
 * comes before any row is written, so nothing is half-done.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`The database is unreachable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "StoreUnavailableError";
  }
}

/**
 * A pool for Kysely whose failures to get a connection become
 * StoreUnavailableError. (When PostgreSQL goes away, node-postgres drops the
 * idle connections it held, so the next request fails here.)
 */
export function guardedPool<C>(pool: { connect(): Promise<C>; end(): Promise<void> }): {
  connect(): Promise<C>;
  end(): Promise<void>;
} {
  return {
    connect: () =>
      pool.connect().catch((error: unknown) => {
        throw new StoreUnavailableError(error);
      }),
    end: () => pool.end(),
  };
}
