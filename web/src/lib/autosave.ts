export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error'

export interface AutosaveOptions<V> {
  /** Sends a batch of changed keys; rejects on failure. */
  save: (batch: Record<string, V>) => Promise<unknown>
  /** Quiet time after the last change before saving (ms). */
  delay?: number
  /** Wait before retrying a failed save (ms). */
  retryDelay?: number
  onState?: (s: SaveState, err?: unknown) => void
  /** Timers (tests pass fake ones): `setTimer` answers a handle `clearTimer` takes. */
  setTimer?: (f: () => void, ms: number) => unknown
  clearTimer?: (t: unknown) => void
}

/**
 * Autosave queue: changes are debounced, at most one request is in flight,
 * the last value written for a key wins, and a failed batch is retried
 * (merged under any newer values).
 */
export class AutosaveQueue<V> {
  private pending: Record<string, V> = {}
  private inFlight: Promise<void> | null = null
  private timer: unknown = null
  private waiters: Array<() => void> = []
  state: SaveState = 'idle'
  lastError: unknown = undefined
  private o: Required<Omit<AutosaveOptions<V>, 'onState'>> & { onState?: AutosaveOptions<V>['onState'] }

  constructor(opts: AutosaveOptions<V>) {
    this.o = {
      delay: opts.delay ?? 600,
      retryDelay: opts.retryDelay ?? 2000,
      setTimer: opts.setTimer ?? ((f, ms) => setTimeout(f, ms)),
      clearTimer: opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>)),
      save: opts.save,
      onState: opts.onState,
    }
  }

  private set(s: SaveState, err?: unknown) {
    this.state = s
    this.lastError = err
    this.o.onState?.(s, err)
  }

  /** Records a change; it is saved after the quiet time. */
  update(key: string, value: V) {
    this.pending[key] = value
    if (!this.inFlight) this.set('pending')
    this.schedule(this.o.delay)
  }

  hasUnsaved(): boolean {
    return Object.keys(this.pending).length > 0 || this.inFlight !== null
  }

  private schedule(ms: number) {
    if (this.timer !== null) this.o.clearTimer(this.timer)
    this.timer = this.o.setTimer(() => {
      this.timer = null
      this.run()
    }, ms)
  }

  private run() {
    if (this.inFlight) return // the finishing request sends what is pending
    const keys = Object.keys(this.pending)
    if (keys.length === 0) {
      this.settle()
      return
    }
    const batch = this.pending
    this.pending = {}
    this.set('saving')
    this.inFlight = this.o
      .save(batch)
      .then(
        () => {
          this.inFlight = null
          if (Object.keys(this.pending).length > 0) this.run()
          else {
            this.set('saved')
            this.settle()
          }
        },
        (err) => {
          this.inFlight = null
          this.pending = { ...batch, ...this.pending } // newer values win
          this.set('error', err)
          this.schedule(this.o.retryDelay)
        },
      )
  }

  private settle() {
    const w = this.waiters
    this.waiters = []
    w.forEach((f) => f())
  }

  /** Saves now what is pending and resolves once nothing is unsaved. */
  flush(): Promise<void> {
    if (!this.hasUnsaved()) return Promise.resolve()
    const p = new Promise<void>((r) => this.waiters.push(r))
    if (this.timer !== null) {
      this.o.clearTimer(this.timer)
      this.timer = null
    }
    this.run()
    return p
  }

  dispose() {
    if (this.timer !== null) this.o.clearTimer(this.timer)
    this.timer = null
  }
}
