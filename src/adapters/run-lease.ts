/**
 * Keeps a run lock that expires unless renewed (Snowflake's lease row, the
 * Redshift Data API's lock session) alive for as long as the run lasts: a
 * heartbeat every quarter of the lease. When the lock turns out to be gone
 * (another run took it after it expired, or its session ended), or cannot be
 * renewed for a whole lease, the run can no longer be sure it is alone:
 * `onLost` stops it (the adapter cancels what runs and refuses what comes).
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private lastRenewed = Date.now();
  lost: string | undefined;

  constructor(
    /** true: still ours; false: gone; throws: not known this time */
    private readonly renew: () => Promise<boolean>,
    private readonly leaseSeconds: number,
    private readonly onLost: (why: string) => void,
  ) {}

  start(): void {
    this.lastRenewed = Date.now();
    const every = Math.max(250, (this.leaseSeconds * 1000) / 4);
    this.timer = setInterval(() => this.beat(), every);
    // the heartbeat never keeps tsql running by itself
    this.timer.unref();
  }

  private beat(): void {
    if (this.inFlight || this.lost) return;
    this.inFlight = this.renew()
      .then(
        (ours) => {
          if (ours) this.lastRenewed = Date.now();
          else this.lose('another run took it after it expired');
        },
        (e: unknown) => {
          const quiet = (Date.now() - this.lastRenewed) / 1000;
          if (quiet >= this.leaseSeconds) this.lose(`it could not be renewed for ${Math.round(quiet)} s (${String((e as Error)?.message ?? e).split('\n')[0]})`);
        },
      )
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  private lose(why: string): void {
    this.lost = why;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.onLost(why);
  }

  /** Stops the heartbeat and waits for one in flight (before the lock is released). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }
}
