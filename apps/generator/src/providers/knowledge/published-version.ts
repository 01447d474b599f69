import type { Redis } from 'ioredis';

/**
 * The knowledge-base version history has published (the `<prefix>:kb:version` key), known without
 * a read per turn: history announces every version it sets on `<prefix>:kb:version:changed`, and
 * this follows the announcements on its connection (RESP3, so the same connection still reads).
 *
 * The key stays the truth. It is read once the subscription is confirmed, and again after every
 * reconnection, since announcements made while disconnected are lost; until that read has
 * answered (and while the connection is down), `current()` reads the key itself, as every turn
 * did before. A read that an announcement overtook keeps the announced version.
 */
export class PublishedVersion {
  private known: number | null = null;
  /** Subscribed, and the key read since: `known` follows every change. */
  private following = false;
  /** Counts announcements, so that a read of the key answered after one does not undo it. */
  private heard = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly channel: string,
  ) {
    redis.on('message', (from: string, message: string) => {
      if (from !== this.channel) return;
      this.heard += 1;
      this.known = parseVersion(message);
    });
    redis.on('close', () => (this.following = false));
    // Also after a reconnection: ioredis subscribes again by itself; the key is read again here.
    redis.on('ready', () => void this.follow());
    if (redis.status === 'ready') void this.follow();
  }

  /** The published version, or null when Redis has none (or cannot be asked). */
  async current(): Promise<number | null> {
    if (this.following) return this.known;
    return parseVersion(await this.redis.get(this.key).catch(() => null));
  }

  private async follow(): Promise<void> {
    try {
      await this.redis.subscribe(this.channel);
      // Sent after the subscription on the same connection: any change Redis makes after this read
      // is announced to us.
      const heardBefore = this.heard;
      const value = await this.redis.get(this.key);
      if (this.heard === heardBefore) this.known = parseVersion(value);
      this.following = this.redis.status === 'ready';
    } catch {
      // Not following (Redis went away, or refuses the key here): turns read the key until the next connection.
      this.following = false;
    }
  }
}

function parseVersion(value: string | null): number | null {
  if (value === null) return null;
  const version = Number(value);
  return Number.isInteger(version) ? version : null;
}
