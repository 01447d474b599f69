import { kbVersionKey, type CacheTicketData, type ElpResult, type ElpSnapshotData, type Source } from '@app/contracts';
import { deepFreeze, type RedisClient } from '@app/platform';
import { LRUCache } from 'lru-cache';

/** One cached reply: what a hit plays and stores in history. */
export interface CachedReply {
  /** The knowledge-base version the reply was generated under; a hit needs it to be the current one. */
  kb_version: number;
  provider: string;
  /** The reply's word chunks, in seq order (chunk k is `chunks[k-1]`). */
  chunks: string[];
  chunk_count: number;
  sources: Source[];
  /** The ELP of the whole reply (a cancelled replay recomputes it on what was sent). */
  elp: ElpResult;
  /**
   * The running ELP snapshots the generator published (one every `ELP_SNAPSHOT_EVERY` chunks), played again with
   * the chunks, so a replay need not analyse every word; missing in entries written before they
   * were kept, and then recomputed.
   */
  elp_snapshots?: ElpSnapshotData[];
}

export interface ReplyCacheSettings {
  /** `REDIS_PREFIX`. */
  prefix: string;
  /** `CACHE_TTL_S`: how long an entry lives after it is written. */
  ttlS: number;
}

/** Key names of the cache; entries carry a hash tag of their own so a Redis Cluster spreads them. */
export class ReplyCacheKeys {
  constructor(readonly prefix: string) {}

  /** The knowledge-base version history copies to Redis after every change; missing = 0. */
  kbVersion(): string {
    return kbVersionKey(this.prefix);
  }

  /**
   * Sorted set of the replays gateways are playing (member: the turn as JSON; score: the epoch ms
   * until which its gateway vouches for it). One key per deployment.
   */
  replays(): string {
    return `${this.prefix}:reply:replays`;
  }

  /** One cached reply, by `replyKeyHash`. */
  entry(hash: string): string {
    return `${this.prefix}:reply:{${hash}}`;
  }
}

/**
 * The response cache in Redis (docs/architecture.md "Response cache"): a hit is looked up by the
 * gateway, an entry written by the generator that produced the reply. Every cache operation is
 * here, by name.
 */
export class ReplyCache {
  readonly keys: ReplyCacheKeys;
  /**
   * The entries read lately, decoded, by hash: while an entry's text is unchanged its hits share
   * one frozen decoding instead of parsing the whole reply again each (a hit is a question asked
   * before, often by many at once), and the replays that hold it keep one copy alive, not one each.
   */
  private readonly decoded = new LRUCache<string, { raw: string; reply: CachedReply | null }>({ max: 100 });

  constructor(
    private readonly redis: RedisClient,
    private readonly settings: ReplyCacheSettings,
  ) {
    this.keys = new ReplyCacheKeys(settings.prefix);
  }

  /** The knowledge base's current version (`{prefix}:kb:version`, 0 when unset). */
  async kbVersion(): Promise<number> {
    return parseVersion(await this.redis.get(this.keys.kbVersion()));
  }

  /**
   * The entry for `hash` and the knowledge-base version, read in one round trip (both commands
   * leave in one write). An entry made under another version is a miss: a knowledge-base change
   * invalidates every entry at once, and the next reply for that key replaces the stale one.
   */
  async lookup(hash: string): Promise<{ reply: CachedReply | null; kbVersion: number }> {
    const [raw, version] = await Promise.all([this.redis.get(this.keys.entry(hash)), this.redis.get(this.keys.kbVersion())]);
    const kbVersion = parseVersion(version);
    if (raw === null) return { reply: null, kbVersion };
    const reply = this.decode(hash, raw);
    return { reply: reply && reply.kb_version === kbVersion ? reply : null, kbVersion };
  }

  private decode(hash: string, raw: string): CachedReply | null {
    const known = this.decoded.get(hash);
    if (known?.raw === raw) return known.reply;
    const reply = parseEntry(raw);
    this.decoded.set(hash, { raw, reply });
    return reply;
  }

  /** Writes the reply a generator completed for `ticket`, for `CACHE_TTL_S`. */
  async store(ticket: CacheTicketData, reply: Omit<CachedReply, 'kb_version' | 'provider' | 'chunk_count'>): Promise<void> {
    const entry: CachedReply = { kb_version: ticket.kb_version, provider: ticket.provider, chunk_count: reply.chunks.length, ...reply };
    await this.redis.set(this.keys.entry(ticket.key), JSON.stringify(entry), 'EX', this.settings.ttlS);
  }
}

/** Replays of a gateway that stopped vouching for them, at most this many per sweep. */
const ORPHANS_PER_SWEEP = 50;

/**
 * Who plays which cached reply: a gateway vouches for its replays by pushing their deadline
 * forward; a replay whose deadline has passed lost its gateway (a crash), and another gateway
 * ends its stream.
 */
export class ReplayRegistry {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ReplyCacheKeys,
  ) {}

  /** Vouches for these replays (new or running) until `untilMs`, in one command. */
  async hold(members: readonly string[], untilMs: number): Promise<void> {
    if (members.length === 0) return;
    await this.redis.zadd(this.keys.replays(), ...members.flatMap((member) => [untilMs, member]));
  }

  async drop(member: string): Promise<void> {
    await this.redis.zrem(this.keys.replays(), member);
  }

  /** Replays nobody vouches for since before `nowMs`; each is handed to one caller only. */
  async claimOrphans(nowMs: number): Promise<string[]> {
    const expired = await this.redis.zrangebyscore(this.keys.replays(), '-inf', nowMs, 'LIMIT', 0, ORPHANS_PER_SWEEP);
    const claimed = await Promise.all(expired.map(async (member) => ((await this.redis.zrem(this.keys.replays(), member)) === 1 ? member : undefined)));
    return claimed.filter((member): member is string => member !== undefined);
  }
}

function parseVersion(raw: string | null): number {
  const version = Number(raw ?? 0);
  return Number.isSafeInteger(version) ? version : 0;
}

/** An entry no generator of this recipe could have written reads as a miss. */
function parseEntry(raw: string): CachedReply | null {
  try {
    const entry = JSON.parse(raw) as CachedReply;
    return Array.isArray(entry.chunks) && entry.chunks.length === entry.chunk_count && entry.chunk_count > 0 ? deepFreeze(entry) : null;
  } catch {
    return null;
  }
}
