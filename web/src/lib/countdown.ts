/**
 * Remaining time of a server deadline. The client's clock may be off, so
 * the offset between the server time (sent with the attempt) and the local
 * clock at receipt is applied to every reading.
 */
export class Countdown {
  private skew: number
  constructor(
    private deadlineMs: number,
    serverTimeMs: number,
    receivedAtMs: number,
    private now: () => number = Date.now,
  ) {
    this.skew = serverTimeMs - receivedAtMs
  }
  static fromServer(deadline: string, serverTime: string, now: () => number = Date.now) {
    return new Countdown(Date.parse(deadline), Date.parse(serverTime), now(), now)
  }
  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.deadlineMs - (this.now() + this.skew))
  }
  expired(): boolean {
    return this.remainingMs() === 0
  }
  /** `m:ss`, or `h:mm:ss` from an hour up (rounded up to the second). */
  label(): string {
    return formatRemaining(this.remainingMs())
  }
}

export function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}
