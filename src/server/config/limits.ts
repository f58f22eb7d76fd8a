import { z } from "zod";

/**
 * Bounds on everything that costs or grows (docs/OPERATIONS.md, "Limits";
 * SPEC LIMIT-1): their environment variables with range and default, and the
 * typed values the server reads.
 */
export interface Limits {
  participants: number;
  lobby: number;
  roomsPerAddressPerHour: number;
  roomsPerHour: number;
  argon2Concurrency: number;
  argon2Queue: number;
  moderatorActionsPerMinute: number;
  connectionsPerAddress: number;
}

/** Joins (and lobby knocks) one IP address may make: a burst, then so many a minute. */
export interface JoinLimit {
  burst: number;
  perMinute: number;
}

/** Signalling messages one connection may send: a burst, then so many a second. */
export interface MessageLimit {
  burst: number;
  perSecond: number;
}

/** The limits' environment variables, part of the one configuration schema. */
export const LIMIT_VARIABLES = {
  PLENUM_JOIN_BURST: z.coerce.number().int().min(1).max(100_000).default(30),
  PLENUM_JOINS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  PLENUM_MAX_PARTICIPANTS: z.coerce.number().int().min(2).max(10_000).default(100),
  PLENUM_MAX_LOBBY: z.coerce.number().int().min(1).max(10_000).default(50),
  PLENUM_ROOMS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(30),
  PLENUM_ROOMS_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(1000),
  PLENUM_ARGON2_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  PLENUM_ARGON2_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
  PLENUM_MODERATOR_ACTIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  PLENUM_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(200),
  PLENUM_MESSAGE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(40),
  PLENUM_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(20),
};

type LimitEnv = z.infer<z.ZodObject<typeof LIMIT_VARIABLES>>;

/** The typed limits from the validated environment. */
export function readLimits(e: LimitEnv): {
  joinLimit: JoinLimit;
  limits: Limits;
  messageLimit: MessageLimit;
} {
  return {
    joinLimit: { burst: e.PLENUM_JOIN_BURST, perMinute: e.PLENUM_JOINS_PER_MINUTE },
    limits: {
      participants: e.PLENUM_MAX_PARTICIPANTS,
      lobby: e.PLENUM_MAX_LOBBY,
      roomsPerAddressPerHour: e.PLENUM_ROOMS_PER_ADDRESS_PER_HOUR,
      roomsPerHour: e.PLENUM_ROOMS_PER_HOUR,
      argon2Concurrency: e.PLENUM_ARGON2_CONCURRENCY,
      argon2Queue: e.PLENUM_ARGON2_QUEUE,
      moderatorActionsPerMinute: e.PLENUM_MODERATOR_ACTIONS_PER_MINUTE,
      connectionsPerAddress: e.PLENUM_MAX_CONNECTIONS_PER_ADDRESS,
    },
    messageLimit: { burst: e.PLENUM_MESSAGE_BURST, perSecond: e.PLENUM_MESSAGES_PER_SECOND },
  };
}
