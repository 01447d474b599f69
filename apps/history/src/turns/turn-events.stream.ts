import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HISTORY_CONSUMER_GROUP } from '@app/contracts';
import { StreamKeys } from '@app/stream-store';
import { APP_CONFIG, commandConnection, type AppConfig, type RedisClient } from '@app/platform';

/** One entry of the turn events stream as Redis returns it. */
export interface TurnEventEntry {
  id: string;
  fields: string[];
  /** How many times the group has delivered it, this delivery included (known for reclaimed entries). */
  deliveries?: number;
}

/** Dead letters kept at most (approximately): enough to inspect, bounded if something goes badly wrong. */
const DEAD_LETTERS_KEPT = 10_000;

type RawEntry = [id: string, fields: string[]];

/**
 * History's side of the turn events stream (docs/architecture.md "Turn events stream"): the
 * consumer group's reads, acknowledgements, reclaims and dead letters. Blocking reads have a
 * connection of their own; everything else shares one command connection, which sends a tick's
 * commands in one write, so the acknowledgement and deletion of a batch leave together.
 */
@Injectable()
export class TurnEventsStream implements OnApplicationShutdown {
  private readonly logger = new Logger(TurnEventsStream.name);
  private readonly keys: StreamKeys;
  private readonly reader: RedisClient;
  private readonly commands: RedisClient;
  /** Ids to settle at the end of this turn of the event loop, and the promise of that. */
  private settling?: { ids: string[]; done: Promise<void> };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.keys = new StreamKeys(config.REDIS_PREFIX);
    this.reader = commandConnection(config, 'history:events-reader');
    this.commands = commandConnection(config, 'history:events');
    for (const redis of [this.reader, this.commands]) redis.on('error', () => undefined);
  }

  /** Creates the group (and the stream) if missing; from id 0, so events added before history first ran are read. */
  async ensureGroup(): Promise<void> {
    try {
      await this.commands.xgroup('CREATE', this.keys.turnEvents(), HISTORY_CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err as Error).message.includes('BUSYGROUP')) throw err;
    }
  }

  /**
   * Removes consumers left by earlier processes that hold nothing and have been idle for a day
   * (every process joins under a new name). One holding entries stays: deleting it would drop them.
   */
  async forgetIdleConsumers(): Promise<void> {
    const consumers = (await this.commands.xinfo('CONSUMERS', this.keys.turnEvents(), HISTORY_CONSUMER_GROUP)) as (string | number)[][];
    for (const fields of consumers) {
      const info = new Map<string | number, string | number>();
      for (let i = 0; i + 1 < fields.length; i += 2) info.set(fields[i], fields[i + 1]);
      if (info.get('pending') === 0 && Number(info.get('idle')) > 86_400_000) {
        await this.commands.xgroup('DELCONSUMER', this.keys.turnEvents(), HISTORY_CONSUMER_GROUP, String(info.get('name')));
      }
    }
  }

  /** New entries for `consumer`, waiting up to `blockMs` for the first one (without it: only those there now). */
  async read(consumer: string, count: number, blockMs?: number): Promise<TurnEventEntry[]> {
    const key = this.keys.turnEvents();
    const reply = (
      blockMs === undefined
        ? await this.reader.xreadgroup('GROUP', HISTORY_CONSUMER_GROUP, consumer, 'COUNT', count, 'STREAMS', key, '>')
        : await this.reader.xreadgroup('GROUP', HISTORY_CONSUMER_GROUP, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, '>')
    ) as [string, RawEntry[]][] | null;
    return (reply?.[0]?.[1] ?? []).map(([id, fields]) => ({ id, fields }));
  }

  /**
   * Takes over, for `consumer`, entries that some consumer of the group (a crashed one, or this
   * one after a failed write) has held unacknowledged for `minIdleMs`, with their delivery counts.
   */
  async reclaim(consumer: string, minIdleMs: number, count: number): Promise<TurnEventEntry[]> {
    const key = this.keys.turnEvents();
    const [, claimed] = (await this.commands.xautoclaim(key, HISTORY_CONSUMER_GROUP, consumer, minIdleMs, '0-0', 'COUNT', count)) as [string, (RawEntry | null)[]];
    const entries = claimed.filter((e): e is RawEntry => e !== null);
    if (entries.length === 0) return [];
    const pending = (await this.commands.xpending(key, HISTORY_CONSUMER_GROUP, entries[0][0], entries[entries.length - 1][0], entries.length + 1_000, consumer)) as [
      string,
      string,
      number,
      number,
    ][];
    // An entry missing here counts as delivered once: never dead-lettered by mistake.
    const deliveries = new Map(pending.map(([id, , , n]) => [id, n]));
    return entries.map(([id, fields]) => ({ id, fields, deliveries: deliveries.get(id) }));
  }

  /**
   * Acknowledges written entries and deletes them: the stream holds only what history has not
   * written yet. XDEL only after XACK, in the same write, and only ids this group acknowledged
   * (a MAXLEN or MINID trim could drop entries no one has written yet).
   *
   * The entries of one write batch come from many reads (each read takes what arrived since the
   * last, often one entry), and all of them are settled as that batch's transaction commits: the
   * ids settled until the end of the event loop's turn go in one XACK and one XDEL, not one pair
   * per read.
   */
  settle(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    if (!this.settling) {
      const batch: string[] = [];
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.settling = undefined;
        return this.settleNow(batch);
      });
      this.settling = { ids: batch, done };
    }
    this.settling.ids.push(...ids);
    return this.settling.done;
  }

  private async settleNow(ids: readonly string[]): Promise<void> {
    const key = this.keys.turnEvents();
    await Promise.all([this.commands.xack(key, HISTORY_CONSUMER_GROUP, ...ids), this.commands.xdel(key, ...ids)]);
  }

  /** Moves an entry that cannot be written to the dead-letter stream, with why, then settles it. */
  async deadLetter(entry: TurnEventEntry, reason: string): Promise<void> {
    await this.commands.xadd(
      this.keys.turnEventDeadLetters(),
      'MAXLEN',
      '~',
      DEAD_LETTERS_KEPT,
      '*',
      ...entry.fields,
      'source_id',
      entry.id,
      'deliveries',
      String(entry.deliveries ?? 1),
      'error',
      reason,
    );
    await this.settle([entry.id]);
    this.logger.error(`turn event ${entry.id} moved to ${this.keys.turnEventDeadLetters()}: ${reason}`);
  }

  onApplicationShutdown(): void {
    this.reader.disconnect();
    this.commands.disconnect();
  }
}
