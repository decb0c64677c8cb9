import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CONFIG, type Config } from '../config';
import { StreamTrimmer } from '../domain/stream-trimming';

/** Trims every shard now and then. Every worker replica does it; trimming twice is harmless. */
@Injectable()
export class StreamTrimmingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamTrimmingService.name);
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private trimming: Promise<void> = Promise.resolve();

  constructor(
    private readonly trimmer: StreamTrimmer,
    @Inject(CONFIG) config: Config,
  ) {
    this.intervalMs = config.STREAM_TRIM_INTERVAL_MS;
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.trimming;
  }

  /** The next trim is scheduled when the last one is over, so trims never overlap. */
  private schedule(): void {
    this.timer = setTimeout(() => {
      this.trimming = this.trimmer
        .trimAll()
        .catch((error) => this.logger.warn({ err: error }, 'trimming the widget stream failed'))
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.intervalMs);
  }
}
