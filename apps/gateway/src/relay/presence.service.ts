import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { StreamStore } from '@app/stream-store';

/**
 * Tells generators that a stream still has a client. Each gateway refreshes a per-stream key with
 * a TTL of DISCONNECT_GRACE_MS while it has a client attached; when no gateway does, the key
 * expires and the generator cancels the abandoned stream. Works across gateways by construction.
 */
@Injectable()
export class PresenceService implements OnApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private readonly attached = new Map<string, number>();
  private clients = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: StreamStore,
  ) {
    const every = Math.max(50, Math.min(1_000, Math.floor(config.DISCONNECT_GRACE_MS / 4)));
    this.timer = setInterval(() => void this.refresh(), every);
    this.timer.unref();
  }

  /**
   * Marks the stream attached now (one SET), and keeps it so until `detach`. `alreadySet`: the
   * caller has just set the presence key itself (a stream start does, in its opening script), so
   * the SET is skipped; a resume must not pass it.
   */
  async attach(streamId: string, { alreadySet = false }: { alreadySet?: boolean } = {}): Promise<void> {
    this.attached.set(streamId, (this.attached.get(streamId) ?? 0) + 1);
    this.clients += 1;
    if (alreadySet) return;
    await this.store.markPresent([streamId]);
  }

  detach(streamId: string): void {
    if (!this.attached.has(streamId)) return;
    this.clients -= 1;
    const count = this.attached.get(streamId)! - 1;
    if (count <= 0) this.attached.delete(streamId);
    else this.attached.set(streamId, count);
  }

  get attachedStreams(): number {
    return this.attached.size;
  }

  /** Open client connections of this gateway (a stream may have several). */
  get attachedClients(): number {
    return this.clients;
  }

  private async refresh(): Promise<void> {
    if (this.attached.size === 0) return;
    try {
      await this.store.markPresent(this.attached.keys());
    } catch (err) {
      this.logger.debug(`presence refresh failed: ${(err as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
