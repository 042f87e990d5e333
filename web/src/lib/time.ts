// Instants are RFC 3339 UTC on the wire and shown in the user's IANA time zone.

/** Formats an instant in `timeZone` for `locale` (date and time, or date only). */
export function formatInstant(iso: string | null | undefined, timeZone: string, locale: string, dateOnly = false): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (isNaN(d.getTime())) return '—'
  const opts: Intl.DateTimeFormatOptions = dateOnly
    ? { timeZone, year: 'numeric', month: 'short', day: 'numeric' }
    : { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'ru-RU', opts).format(d)
}

function partsIn(ms: number, timeZone: string) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  })
  const p: Record<string, number> = {}
  for (const x of f.formatToParts(new Date(ms))) if (x.type !== 'literal') p[x.type] = Number(x.value)
  return p
}

/** The zone's offset from UTC in milliseconds at the instant `ms`. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = partsIn(ms, timeZone)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return asUtc - Math.floor(ms / 1000) * 1000
}

/** A `datetime-local` value (`YYYY-MM-DDTHH:mm`) meant in `timeZone` → RFC 3339 UTC. */
export function zonedLocalToUtc(local: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local)
  if (!m) throw new Error('bad local date-time')
  const naive = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])
  let guess = naive - zoneOffsetMs(naive, timeZone)
  guess = naive - zoneOffsetMs(guess, timeZone)
  return new Date(guess).toISOString().replace('.000Z', 'Z')
}

/** An instant → the `datetime-local` value of it in `timeZone`. */
export function utcToZonedLocal(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return ''
  const p = partsIn(new Date(iso).getTime(), timeZone)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`
}
